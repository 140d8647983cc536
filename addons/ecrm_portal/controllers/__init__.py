from . import tracking
from . import portal
