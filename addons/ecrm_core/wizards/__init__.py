from . import ecrm_partner_import
from . import base_partner_merge
from . import ecrm_duplicate_group_drop
