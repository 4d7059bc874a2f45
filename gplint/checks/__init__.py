"""The rule implementations; importing this package registers every check."""
from . import ci, context, policy, proxy_reach, scoped, values  # noqa: F401
