"""Broker URLs: validated, and never printed with their password."""

import pytest

from zwgk.distributed.config import masked, resolve_broker
from zwgk.model import ZwgkError


@pytest.mark.parametrize(
    "url,shown",
    [
        ("redis://:s3cret@10.0.0.5:6379/0", "redis://:***@10.0.0.5:6379/0"),
        ("redis://zwgk:pw@redis.internal/1", "redis://zwgk:***@redis.internal/1"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ],
)
def test_banner_masks_the_broker_password(url, shown):
    assert masked(url) == shown and "s3cret" not in masked(url)


def test_a_broker_that_is_not_redis_is_refused():
    with pytest.raises(ZwgkError, match="redis://"):
        resolve_broker("amqp://guest@localhost//")
