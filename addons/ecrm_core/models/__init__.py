from . import ecrm_interaction
from . import res_partner
