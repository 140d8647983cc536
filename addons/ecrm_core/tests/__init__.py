from . import test_interaction_log
from . import test_interaction_security
from . import test_partner_timeline
from . import test_consent
from . import test_customer360
from . import test_quality_rules
from . import test_duplicates
from . import test_partner_import
