// Bindings of legsim::Model (model files, parameter overrides).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "legsim/model.hpp"

namespace py = pybind11;

namespace legsim::py_bind {

void bind_model(py::module_& m) {
  py::class_<Model>(m, "Model")
      .def_static("load", &Model::load, py::arg("path"))
      .def_static("from_toml", &Model::from_toml, py::arg("text"), py::arg("origin") = "<string>")
      .def_static("default", []() { return Model::default_model(); })
      .def("save", &Model::save, py::arg("path"))
      .def("to_toml", &Model::to_toml)
      .def("with_params", &Model::with_params, py::arg("params"))
      .def("param", &Model::param, py::arg("path"))
      .def_property_readonly("name", &Model::name)
      .def_property_readonly("description", &Model::description)
      .def_property_readonly("body_mass", &Model::body_mass)
      .def_property_readonly("height", &Model::height)
      .def_property_readonly("muscle_names", &Model::muscle_names)
      .def("muscle_tags", [](const Model& self, const std::string& name) {
        return self.muscles()[self.muscle_index(name)].tags;
      })
      .def("muscle_index", &Model::muscle_index)
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
      .def("__eq__", &Model::operator==)
      .def(py::pickle([](const Model& self) { return self.to_toml(); },
                      [](const std::string& text) { return Model::from_toml(text, "<pickle>"); }));
}

}  // namespace legsim::py_bind
