// Go's Regexp.Expand, the template language of Prometheus' relabel `replacement` and of
// PromQL's label_replace(): `$1`, `${1}`, `$name`, `${name}` are replaced by the groups of a
// match, `$$` by `$`. A name is the longest run of letters, digits and `_` (so `$1x` names a
// group "1x", usually absent, giving ""); all digits without a leading zero is a group
// number; a `$` that starts no valid reference stays as text.
//
// Thread-safety: a pure function.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "re2/re2.h"

namespace vigil {

// Appends the expansion of `tmpl` to `out`. groups[0] is the whole match; an unset group has
// a null data pointer.
void ExpandRegexTemplate(std::string_view tmpl, const RE2& re,
                         std::span<const re2::StringPiece> groups, std::string* out);

}  // namespace vigil
