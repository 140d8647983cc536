from . import ecrm_personalisation_preview
