"""The rule implementations; importing this package registers every check."""
from . import context, policy, proxy_reach, scoped, values  # noqa: F401
