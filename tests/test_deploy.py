"""deploy/: the nginx page tags (deploy/preload.conf) name files of the installed Streamlit."""

import re

import pytest
import streamlit

from deploy import preload


def test_preload_conf_is_written_for_the_installed_streamlit():
    """The frontend files' names carry a content hash: after a Streamlit upgrade, the list must be written
    again (``python deploy/preload.py``), or nginx would preload files that no longer exist."""
    assert preload.check() == [], preload.check()


def test_preload_conf_groups_fit_nginx_and_stay_inside_head():
    conf = preload.OUT.read_text()
    version, names = preload.listed(conf)
    assert version == streamlit.__version__ and len(names) == len(set(names)) > 50
    rules = re.findall(r"^sub_filter '([^']*)' '([^']*)';$", conf, re.M)
    assert 1 <= len(rules) <= len(preload.ANCHORS)
    html = (preload.STATIC / "index.html").read_text()
    head_end = html.index("</head>")
    for anchor, replacement in rules:
        assert len(replacement) < 4096  # nginx's longest directive parameter
        assert anchor in replacement and html.index(anchor) <= head_end
    assert sum(len(re.findall(r"<link rel=modulepreload", r)) for _, r in rules) == len(names)


def test_render_refuses_more_tags_than_its_anchors_hold():
    with pytest.raises(SystemExit):
        preload.render([f"Chunk{i:04d}.abcdefgh.js" for i in range(1000)])
