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

# The real FreeBSD files and outputs the parsers are tested on.
REFERENCE = os.path.normpath(os.path.join(REPO, "..", "shared", "reference", "freebsd"))
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins", "fixtures")
