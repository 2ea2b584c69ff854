import json
from pathlib import Path

import pytest

from parley.core import actors

SET = json.loads((Path(__file__).parent / "help_center_set.json").read_text())


@pytest.fixture
def question_set() -> dict:
    return SET


@pytest.fixture
def help_center(db):
    """The 34-article help center of help_center_set.json, published; returns the articles by key."""
    from parley.knowledge.services import help_center_import

    return help_center_import(data=SET, actor=actors.SYSTEM)
