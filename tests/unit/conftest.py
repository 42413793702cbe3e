"""Make the collection importable as ansible_collections.bsd.jails for plain pytest.

``make venv`` links the repository at .collections/ansible_collections/bsd/jails;
ansible-test runs the same tests from its own copy of that tree.
"""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".collections")
if os.path.isdir(COLLECTIONS) and COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

# The real FreeBSD files the parsers are tested on (tests/fixtures/freebsd/README.md says where each
# came from) and FreeBSD's own test files (tests/conformance/freebsd/, freebsd-src paths).
REFERENCE = os.path.join(REPO, "tests", "fixtures", "freebsd")
FREEBSD_TESTS = os.path.join(REPO, "tests", "conformance", "freebsd")
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins", "fixtures")
