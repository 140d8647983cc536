from . import rpc_faults
from . import models
from . import wizards
