"""zwgk.sitefarm — simulated Chinese government websites with recorded defects.

Generation (``specs``, ``generate``: a pure, seeded model of each site) is kept
apart from rendering (``render``: HTML) and serving (``server``, ``dns``,
``runner``).  The ground truth (``truth``) is read off the model.

    from zwgk.sitefarm import FarmConfig, running_farm
    with running_farm(FarmConfig(sites=24, seed=1)) as farm:
        farm.url(unit_id), farm.resolver, farm.truth
"""

from zwgk.sitefarm.config import DEFAULT_AS_OF, FarmConfig
from zwgk.sitefarm.runner import FarmHandle, running_farm

__all__ = ["DEFAULT_AS_OF", "FarmConfig", "FarmHandle", "running_farm"]
