from . import test_rules
from . import test_clickstream_models
from . import test_abandoned_carts
from . import test_self_service
from . import test_profile_questions
from . import test_preview
from . import test_visitor_facts
