from . import ecrm_personalisation_preview
from . import ecrm_path_report
