import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Keep the result cache of test runs out of the user's cache folder."""
    os.environ["GPLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("gplint-cache"))
    yield
