// Bindings of legsim::Model (model files, parameter overrides).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "legsim/model.hpp"

namespace py = pybind11;

namespace legsim::py_bind {

void bind_model(py::module_& m) {
  py::class_<Model>(m, "Model",
                    "A runner's model: body (scaled from height, mass and sex), foot contact, muscles with "
                    "their joint geometry, the patellofemoral model and the integrator settings. Immutable "
                    "and validated when built (Model.load, Model.from_toml, Model.default); "
                    "Model.with_params derives a changed copy. SI units throughout. Pickles (as its TOML).")
      .def_static("load", &Model::load, py::arg("path"),
                  "Reads and validates a model file (TOML) and returns the Model. Raises "
                  "legsim.ModelFileError or legsim.InputError naming the file, the key, the value and the "
                  "allowed range.")
      .def_static("from_toml", &Model::from_toml, py::arg("text"), py::arg("origin") = "<string>",
                  "Parses and validates a model from TOML text; ``origin`` names it in error messages. "
                  "Returns the Model.")
      .def_static(
          "default", []() { return Model::default_model(); },
          "The default runner (models/runner.toml, compiled into the library): a 70 kg, 1.75 m man.")
      .def("save", &Model::save, py::arg("path"),
           "Writes the model as a TOML model file with its sources, comments (units, citations) and "
           "muscle order; Model.load of the file gives an equal model. Returns None.")
      .def("to_toml", &Model::to_toml, "The model file's text (str, TOML), as Model.save writes it.")
      .def("with_params", &Model::with_params, py::arg("params"),
           "A copy with numeric parameters changed: ``params`` maps key paths to values (SI units), e.g. "
           "{\"muscles.soleus.max_isometric_force\": 5000.0, \"body.mass\": 65.0}. Raises "
           "legsim.InputError for an unknown path or an out-of-range value.")
      .def("param", &Model::param, py::arg("path"),
           "The value (float, SI units) of a numeric parameter by key path, e.g. "
           "\"muscles.soleus.tendon_slack_length\" (m).")
      .def_property_readonly("name", &Model::name, "The model's name (str).")
      .def_property_readonly("description", &Model::description, "The model's description (str).")
      .def_property_readonly("body_mass", &Model::body_mass, "Body mass (kg).")
      .def_property_readonly("height", &Model::height, "Body height (m).")
      .def_property_readonly("muscle_names", &Model::muscle_names,
                             "Names of the muscles (list of str, model order; each leg has each muscle).")
      .def(
          "muscle_tags",
          [](const Model& self, const std::string& name) { return self.muscles()[self.muscle_index(name)].tags; },
          py::arg("name"),
          "Role tags of muscle ``name`` (list of str, e.g. \"knee_extensor\", \"plantarflexor\"), by which "
          "legsim finds muscles by role. Raises legsim.InputError for an unknown muscle.")
      .def("muscle_index", &Model::muscle_index, py::arg("name"),
           "Position (int) of muscle ``name`` in muscle_names. Raises legsim.InputError naming the unknown "
           "muscle and the known ones.")
      .def(
          "body_segments",
          [](const Model& self) {
            // The body the simulation uses (scaled from height, mass and sex), so that drawings and
            // analyses read its segments instead of recomputing the scaling.
            const BodyParams& b = self.body();
            const auto segment = [](const SegmentParams& s) {
              py::dict d;
              d["mass"] = s.mass;
              d["length"] = s.length;
              d["com_from_proximal"] = s.com_from_proximal;
              d["inertia_about_com"] = s.inertia_about_com;
              return d;
            };
            py::dict out;
            out["trunk"] = segment(b.trunk);
            out["thigh"] = segment(b.thigh);
            out["shank"] = segment(b.shank);
            py::dict foot = segment(b.foot);
            foot["heel"] = py::make_tuple(b.foot.heel.x, b.foot.heel.y);
            foot["metatarsal_head"] = py::make_tuple(b.foot.metatarsal_head.x, b.foot.metatarsal_head.y);
            foot["com"] = py::make_tuple(b.foot.com.x, b.foot.com.y);
            out["foot"] = foot;
            return out;
          },
          "Segments of the body the simulation uses (SI units; foot points in the foot frame: origin at "
          "the ankle, x heel → toe along the sole, y up when flat): trunk (hip → shoulder), thigh, shank, "
          "foot, each with mass, length, com_from_proximal, inertia_about_com.")
      .def("__eq__", &Model::operator==, "True if both models have the same model-file text (Model.to_toml).")
      .def(py::pickle([](const Model& self) { return self.to_toml(); },
                      [](const std::string& text) { return Model::from_toml(text, "<pickle>"); }));
}

}  // namespace legsim::py_bind
