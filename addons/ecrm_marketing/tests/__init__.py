from . import test_campaign_roi
from . import test_segment
from . import test_marketing_security
from . import test_campaign_program
