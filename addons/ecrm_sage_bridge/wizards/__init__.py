from . import ecrm_sage_export_wizard
from . import ecrm_sage_import_wizard
from . import ecrm_sage_reconciliation_wizard
