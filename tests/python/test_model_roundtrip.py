"""Issue 18, item 8: every accepted model round-trips through save/load, to_toml/from_toml and pickle,
compared value by value (every numeric parameter, names, muscle order, tags), not to_toml() with itself."""
import pickle
import re

import numpy as np
import pytest

import legsim

NUMERIC_KEY = re.compile(r"^(\w+) = -?[0-9]", re.MULTILINE)


def numeric_paths(model):
    """Every numeric parameter's key path ("muscles.soleus.joints.0.moment_arm"), from the model's text."""
    paths, table, counts = [], "", {}
    for line in model.to_toml().splitlines():
        if line.startswith("[["):
            name = line.strip("[]")
            counts[name] = counts.get(name, -1) + 1
            table = f"{name}.{counts[name]}"
        elif line.startswith("["):
            table = line.strip("[]")
        elif (m := NUMERIC_KEY.match(line)) and m.group(1) != "format_version":
            paths.append(f"{table}.{m.group(1)}")
    return paths


def require_same(a, b):
    assert a.name == b.name and a.description == b.description
    assert a.muscle_names == b.muscle_names  # same order
    for name in a.muscle_names:
        assert a.muscle_tags(name) == b.muscle_tags(name)
    paths = numeric_paths(a)
    assert len(paths) > 150 and paths == numeric_paths(b)
    for p in paths:
        assert a.param(p) == b.param(p), p


def odd_model():
    """The default model with a description of two lines, a tab, quotes, a backslash and a control
    character: it loaded before, but could not be saved or pickled."""
    text = legsim.Model.default().to_toml()
    odd = '"""two\nlines\ttab \\"quoted\\" back\\\\slash \\u0001"""\n# '
    return legsim.Model.from_toml(text.replace('description = "', f"description = {odd}", 1), "odd.toml")


@pytest.mark.parametrize("make", [legsim.Model.default, odd_model])
def test_save_load_to_toml_and_pickle_keep_every_value(make, tmp_path):
    m = make()
    path = tmp_path / "m.toml"
    m.save(str(path))
    for back in (legsim.Model.load(str(path)), legsim.Model.from_toml(m.to_toml()),
                 pickle.loads(pickle.dumps(m)), pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(m))))):
        require_same(back, m)
        assert back == m


def test_odd_strings_survive(tmp_path):
    m = odd_model()
    assert m.description == 'two\nlines\ttab "quoted" back\\slash \x01'
    assert pickle.loads(pickle.dumps(m)).description == m.description


def test_file_order_and_citations_survive_a_save(tmp_path):
    m = legsim.Model.default()
    assert m.muscle_names == ["soleus", "gastrocnemius", "quadriceps", "hamstrings", "tibialis_anterior",
                              "gluteus", "hip_flexor"]  # the order of models/runner.toml
    path = tmp_path / "m.toml"
    m.save(str(path))
    text = path.read_text()
    assert "max_isometric_force = 6194.8  # N, Rajagopal 2016" in text
    assert 'source = "Geyer & Herr 2010 GLU (lengths, geometry); Rajagopal 2016 gluteus maximus (force, pennation)"' in text
    assert "# Fiber-type fractions: Uchida TK et al. (2016) PLoS One 11(3):e0150378" in text


def test_random_parameter_variants_round_trip(rng):
    m = legsim.Model.default()
    paths = numeric_paths(m)
    for _ in range(20):
        p = paths[rng.integers(len(paths))]
        v = m.param(p) * float(rng.uniform(0.97, 1.03))
        try:
            v2 = m.with_params({p: v})
        except legsim.ModelFileError:  # a bound relative to another value (min_step, offset)
            continue
        require_same(pickle.loads(pickle.dumps(v2)), v2)
        assert np.isclose(v2.param(p), v, rtol=0, atol=0) or p.endswith("_deg")
