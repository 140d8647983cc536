from . import ecrm_partner_import
