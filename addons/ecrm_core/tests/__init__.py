from . import test_interaction_log
from . import test_interaction_security
from . import test_partner_timeline
