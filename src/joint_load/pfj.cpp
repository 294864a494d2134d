#include "legsim/joint_load/pfj.hpp"

#include <string>

#include "legsim/core/error.hpp"

namespace legsim {

void validate(const PfjParams& p, std::string_view prefix) {
  const int area = static_cast<int>(p.contact_area);
  require(area == static_cast<int>(PfjContactArea::kBrechterPowers2002Fit) ||
              area == static_cast<int>(PfjContactArea::kBesier2005Measured),
          std::string(prefix) + ".contact_area", area,
          "{0 (brechter_powers_2002_fit), 1 (besier_2005_measured)}");
}

}  // namespace legsim
