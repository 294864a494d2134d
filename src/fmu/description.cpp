// modelDescription.xml of the stance-leg FMU for FMI 2.0 and 3.0, from the variable table
// (variables.cpp). The two versions differ in the variable elements (2.0: <ScalarVariable> with a
// <Real> child; 3.0: <Float64>), the model structure (2.0: 1-based indices; 3.0: value references),
// the instantiation token's attribute name and the co-simulation capability flags.
#include <sstream>

#include "legsim/version.hpp"
#include "variables.hpp"

namespace legsim::fmu {
namespace {

/// The attributes every version writes the same way: name, value reference, causality,
/// variability, initial, description.
void common_attributes(std::ostringstream& o, const Variable& v) {
  o << " name=\"" << v.name << "\" valueReference=\"" << v.value_reference << "\" causality=\""
    << causality_name(v.causality) << "\" description=\"" << v.description << "\"";
  if (v.causality == Causality::kParameter) o << " variability=\"fixed\" initial=\"exact\"";
  if (v.causality == Causality::kInput || v.causality == Causality::kIndependent) o << " variability=\"continuous\"";
  if (v.causality == Causality::kOutput) o << " variability=\"continuous\" initial=\"calculated\"";
}

/// The value attributes (unit, start) of a variable.
std::string value_attributes(const Variable& v) {
  std::string a;
  if (!v.unit.empty()) a += " unit=\"" + v.unit + "\"";
  if (v.causality == Causality::kParameter || v.causality == Causality::kInput) a += " start=\"" + format_value(v.start) + "\"";
  return a;
}

}  // namespace

std::string model_description(const Model& model, std::string_view model_text, int fmi_version) {
  const bool v3 = fmi_version == 3;
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<fmiModelDescription fmiVersion=\"" << (v3 ? "3.0" : "2.0") << "\" modelName=\"" << kModelIdentifier << "\" "
    << (v3 ? "instantiationToken" : "guid") << "=\"" << guid(model_text) << "\" description=\"legsim stance leg (model '"
    << model.name() << "'): from touchdown on, muscle excitations in; GRF, joint angles, muscle and PFJ forces out\""
    << " generationTool=\"legsim " << kVersion << "\" variableNamingConvention=\"structured\""
    << (v3 ? "" : " numberOfEventIndicators=\"0\"") << ">\n"
    << "  <CoSimulation modelIdentifier=\"" << kModelIdentifier << "\" canHandleVariableCommunicationStepSize=\"true\""
    << (v3 ? "" : " canNotUseMemoryManagementFunctions=\"true\"") << "/>\n"
    << "  <UnitDefinitions>\n"
    << "    <Unit name=\"N\"><BaseUnit kg=\"1\" m=\"1\" s=\"-2\"/></Unit>\n"
    << "    <Unit name=\"m/s\"><BaseUnit m=\"1\" s=\"-1\"/></Unit>\n"
    << "    <Unit name=\"rad\"><BaseUnit rad=\"1\"/></Unit>\n"
    << "    <Unit name=\"rad/s\"><BaseUnit rad=\"1\" s=\"-1\"/></Unit>\n"
    << "    <Unit name=\"s\"><BaseUnit s=\"1\"/></Unit>\n"
    << "  </UnitDefinitions>\n"
    << "  <DefaultExperiment startTime=\"0\" stopTime=\"0.3\" stepSize=\"0.0005\"/>\n"
    << "  <ModelVariables>\n";
  const std::vector<Variable> vars = variables(model);
  std::ostringstream outputs, initial;
  for (std::size_t k = 0; k < vars.size(); ++k) {
    const Variable& v = vars[k];
    if (v3) {
      o << "    <Float64";
      common_attributes(o, v);
      o << value_attributes(v) << "/>\n";
    } else {
      o << "    <ScalarVariable";
      common_attributes(o, v);
      o << "><Real" << value_attributes(v) << "/></ScalarVariable>\n";
    }
    if (v.causality != Causality::kOutput) continue;
    // No direct feedthrough: the outputs are functions of the state, which an input changes only
    // through a step. 2.0 names a variable by its 1-based index, 3.0 by its value reference.
    const std::string id = v3 ? "valueReference=\"" + std::to_string(v.value_reference) + "\""
                              : "index=\"" + std::to_string(k + 1) + "\"";
    outputs << (v3 ? "    <Output " : "      <Unknown ") << id << " dependencies=\"\"/>\n";
    initial << (v3 ? "    <InitialUnknown " : "      <Unknown ") << id << "/>\n";
  }
  o << "  </ModelVariables>\n  <ModelStructure>\n";
  if (v3) o << outputs.str() << initial.str();
  else o << "    <Outputs>\n" << outputs.str() << "    </Outputs>\n    <InitialUnknowns>\n" << initial.str() << "    </InitialUnknowns>\n";
  o << "  </ModelStructure>\n</fmiModelDescription>\n";
  return o.str();
}

}  // namespace legsim::fmu
