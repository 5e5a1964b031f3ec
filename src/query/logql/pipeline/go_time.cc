#include "query/logql/pipeline/go_time.h"

#include <cctype>
#include <cstdint>
#include <span>

#include "absl/time/civil_time.h"
#include "common/strings.h"

namespace vigil::logql::pipeline {
namespace {

enum class Std {
  kNone,
  kLongMonth,
  kMonth,
  kNumMonth,
  kZeroMonth,
  kLongWeekDay,
  kWeekDay,
  kDay,
  kUnderDay,
  kZeroDay,
  kUnderYearDay,
  kZeroYearDay,
  kHour,
  kHour12,
  kZeroHour12,
  kMinute,
  kZeroMinute,
  kSecond,
  kZeroSecond,
  kLongYear,
  kYear,
  kPM,
  kpm,
  kTZ,
  kISO8601TZ,
  kISO8601SecondsTZ,
  kISO8601ShortTZ,
  kISO8601ColonTZ,
  kISO8601ColonSecondsTZ,
  kNumTZ,
  kNumSecondsTz,
  kNumShortTZ,
  kNumColonTZ,
  kNumColonSecondsTZ,
  kFracSecond0,
  kFracSecond9,
};

struct Chunk {
  std::string_view prefix;  // literal text before the element
  Std std = Std::kNone;
  std::string_view element;  // the layout text of the element
  int frac_digits = 0;
  char frac_sep = '.';
  std::string_view suffix;  // the rest of the layout
};

constexpr std::string_view kLongMonths[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
constexpr std::string_view kLongDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};

bool StartsWithLower(std::string_view s) { return !s.empty() && s[0] >= 'a' && s[0] <= 'z'; }
bool IsDigitAt(std::string_view s, size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }

// Go's nextStdChunk: finds the first layout element in `layout`.
Chunk NextChunk(std::string_view layout) {
  auto found = [&](size_t i, Std std, size_t len) {
    Chunk c;
    c.prefix = layout.substr(0, i);
    c.std = std;
    c.element = layout.substr(i, len);
    c.suffix = layout.substr(i + len);
    return c;
  };
  auto has = [&](size_t i, std::string_view s) { return layout.substr(i, s.size()) == s; };
  for (size_t i = 0; i < layout.size(); ++i) {
    switch (layout[i]) {
      case 'J':
        if (has(i, "Jan")) {
          if (has(i, "January")) return found(i, Std::kLongMonth, 7);
          if (!StartsWithLower(layout.substr(i + 3))) return found(i, Std::kMonth, 3);
        }
        break;
      case 'M':
        if (has(i, "Mon")) {
          if (has(i, "Monday")) return found(i, Std::kLongWeekDay, 6);
          if (!StartsWithLower(layout.substr(i + 3))) return found(i, Std::kWeekDay, 3);
        }
        if (has(i, "MST")) return found(i, Std::kTZ, 3);
        break;
      case '0':
        if (i + 1 < layout.size() && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          static constexpr Std kZero[] = {Std::kZeroMonth,  Std::kZeroDay,    Std::kZeroHour12,
                                          Std::kZeroMinute, Std::kZeroSecond, Std::kYear};
          return found(i, kZero[layout[i + 1] - '1'], 2);
        }
        if (has(i, "002")) return found(i, Std::kZeroYearDay, 3);
        break;
      case '1':
        if (has(i, "15")) return found(i, Std::kHour, 2);
        return found(i, Std::kNumMonth, 1);
      case '2':
        if (has(i, "2006")) return found(i, Std::kLongYear, 4);
        return found(i, Std::kDay, 1);
      case '_':
        if (has(i, "_2")) {
          if (has(i + 1, "2006")) return found(i + 1, Std::kLongYear, 4);  // literal '_'
          return found(i, Std::kUnderDay, 2);
        }
        if (has(i, "__2")) return found(i, Std::kUnderYearDay, 3);
        break;
      case '3':
        return found(i, Std::kHour12, 1);
      case '4':
        return found(i, Std::kMinute, 1);
      case '5':
        return found(i, Std::kSecond, 1);
      case 'P':
        if (has(i, "PM")) return found(i, Std::kPM, 2);
        break;
      case 'p':
        if (has(i, "pm")) return found(i, Std::kpm, 2);
        break;
      case '-':
        if (has(i, "-070000")) return found(i, Std::kNumSecondsTz, 7);
        if (has(i, "-07:00:00")) return found(i, Std::kNumColonSecondsTZ, 9);
        if (has(i, "-0700")) return found(i, Std::kNumTZ, 5);
        if (has(i, "-07:00")) return found(i, Std::kNumColonTZ, 6);
        if (has(i, "-07")) return found(i, Std::kNumShortTZ, 3);
        break;
      case 'Z':
        if (has(i, "Z070000")) return found(i, Std::kISO8601SecondsTZ, 7);
        if (has(i, "Z07:00:00")) return found(i, Std::kISO8601ColonSecondsTZ, 9);
        if (has(i, "Z0700")) return found(i, Std::kISO8601TZ, 5);
        if (has(i, "Z07:00")) return found(i, Std::kISO8601ColonTZ, 6);
        if (has(i, "Z07")) return found(i, Std::kISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        if (i + 1 < layout.size() && (layout[i + 1] == '0' || layout[i + 1] == '9')) {
          const char ch = layout[i + 1];
          size_t j = i + 1;
          while (j < layout.size() && layout[j] == ch) ++j;
          if (!IsDigitAt(layout, j)) {
            Chunk c = found(i, ch == '0' ? Std::kFracSecond0 : Std::kFracSecond9, j - i);
            c.frac_digits = static_cast<int>(j - i - 1);
            c.frac_sep = layout[i];
            return c;
          }
        }
        break;
      default:
        break;
    }
  }
  Chunk c;
  c.prefix = layout;
  return c;
}

void AppendInt(int64_t v, int width, char pad, std::string* out) {
  if (v < 0) {
    out->push_back('-');
    v = -v;
  }
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  for (int k = n; k < width; ++k) out->push_back(pad);
  while (n > 0) out->push_back(buf[--n]);
}

void AppendZone(int offset_seconds, bool colon, bool seconds, bool short_form, std::string* out) {
  int zone = offset_seconds / 60;
  int abs_offset = offset_seconds;
  if (zone < 0) {
    out->push_back('-');
    zone = -zone;
    abs_offset = -abs_offset;
  } else {
    out->push_back('+');
  }
  AppendInt(zone / 60, 2, '0', out);
  if (short_form) return;
  if (colon) out->push_back(':');
  AppendInt(zone % 60, 2, '0', out);
  if (seconds) {
    if (colon) out->push_back(':');
    AppendInt(abs_offset % 60, 2, '0', out);
  }
}

}  // namespace

void FormatGoTime(absl::Time t, const absl::TimeZone& tz, std::string_view layout,
                  std::string* out) {
  const absl::TimeZone::CivilInfo ci = tz.At(t);
  const absl::CivilSecond& cs = ci.cs;
  const int64_t nanos = absl::ToInt64Nanoseconds(ci.subsecond);
  while (!layout.empty()) {
    const Chunk c = NextChunk(layout);
    out->append(c.prefix);
    if (c.std == Std::kNone) break;
    layout = c.suffix;
    const int hour = cs.hour();
    switch (c.std) {
      case Std::kYear: {
        const int64_t y = cs.year() % 100;
        AppendInt(y < 0 ? -y : y, 2, '0', out);
        break;
      }
      case Std::kLongYear:
        AppendInt(cs.year(), 4, '0', out);
        break;
      case Std::kMonth:
        out->append(kLongMonths[cs.month() - 1].substr(0, 3));
        break;
      case Std::kLongMonth:
        out->append(kLongMonths[cs.month() - 1]);
        break;
      case Std::kNumMonth:
        AppendInt(cs.month(), 0, '0', out);
        break;
      case Std::kZeroMonth:
        AppendInt(cs.month(), 2, '0', out);
        break;
      case Std::kWeekDay:
      case Std::kLongWeekDay: {
        const int wd = static_cast<int>(absl::GetWeekday(absl::CivilDay(cs)));  // Monday = 0
        std::string_view name = kLongDays[(wd + 1) % 7];
        out->append(c.std == Std::kWeekDay ? name.substr(0, 3) : name);
        break;
      }
      case Std::kDay:
        AppendInt(cs.day(), 0, '0', out);
        break;
      case Std::kUnderDay:
        AppendInt(cs.day(), 2, ' ', out);
        break;
      case Std::kZeroDay:
        AppendInt(cs.day(), 2, '0', out);
        break;
      case Std::kUnderYearDay:
        AppendInt(absl::GetYearDay(absl::CivilDay(cs)), 3, ' ', out);
        break;
      case Std::kZeroYearDay:
        AppendInt(absl::GetYearDay(absl::CivilDay(cs)), 3, '0', out);
        break;
      case Std::kHour:
        AppendInt(hour, 2, '0', out);
        break;
      case Std::kHour12:
        AppendInt(hour % 12 == 0 ? 12 : hour % 12, 0, '0', out);
        break;
      case Std::kZeroHour12:
        AppendInt(hour % 12 == 0 ? 12 : hour % 12, 2, '0', out);
        break;
      case Std::kMinute:
        AppendInt(cs.minute(), 0, '0', out);
        break;
      case Std::kZeroMinute:
        AppendInt(cs.minute(), 2, '0', out);
        break;
      case Std::kSecond:
        AppendInt(cs.second(), 0, '0', out);
        break;
      case Std::kZeroSecond:
        AppendInt(cs.second(), 2, '0', out);
        break;
      case Std::kPM:
        out->append(hour >= 12 ? "PM" : "AM");
        break;
      case Std::kpm:
        out->append(hour >= 12 ? "pm" : "am");
        break;
      case Std::kISO8601TZ:
      case Std::kISO8601SecondsTZ:
      case Std::kISO8601ShortTZ:
      case Std::kISO8601ColonTZ:
      case Std::kISO8601ColonSecondsTZ:
      case Std::kNumTZ:
      case Std::kNumSecondsTz:
      case Std::kNumShortTZ:
      case Std::kNumColonTZ:
      case Std::kNumColonSecondsTZ: {
        const bool iso = c.std <= Std::kISO8601ColonSecondsTZ;
        if (iso && ci.offset == 0) {
          out->push_back('Z');
          break;
        }
        const bool colon = c.std == Std::kISO8601ColonTZ || c.std == Std::kISO8601ColonSecondsTZ ||
                           c.std == Std::kNumColonTZ || c.std == Std::kNumColonSecondsTZ;
        const bool secs = c.std == Std::kISO8601SecondsTZ || c.std == Std::kISO8601ColonSecondsTZ ||
                          c.std == Std::kNumSecondsTz || c.std == Std::kNumColonSecondsTZ;
        const bool short_form = c.std == Std::kISO8601ShortTZ || c.std == Std::kNumShortTZ;
        AppendZone(ci.offset, colon, secs, short_form, out);
        break;
      }
      case Std::kTZ:
        if (ci.zone_abbr != nullptr && ci.zone_abbr[0] != '\0') {
          out->append(ci.zone_abbr);
        } else {
          AppendZone(ci.offset, false, false, false, out);
        }
        break;
      case Std::kFracSecond0:
      case Std::kFracSecond9: {
        char digits[9];
        int64_t n = nanos;
        for (int k = 8; k >= 0; --k) {
          digits[k] = static_cast<char>('0' + n % 10);
          n /= 10;
        }
        int count = c.frac_digits > 9 ? 9 : c.frac_digits;
        if (c.std == Std::kFracSecond9) {
          count = 9;
          while (count > 0 && digits[count - 1] == '0') --count;
          if (count > c.frac_digits) count = c.frac_digits;
          if (count == 0) break;
        }
        out->push_back(c.frac_sep);
        out->append(digits, static_cast<size_t>(count));
        break;
      }
      case Std::kNone:
        break;
    }
  }
}

namespace {

// Reads 1-2 digits (exactly 2 when `fixed`).
bool GetNum(std::string_view* s, bool fixed, int* v) {
  if (!IsDigitAt(*s, 0)) return false;
  if (!IsDigitAt(*s, 1)) {
    if (fixed) return false;
    *v = (*s)[0] - '0';
    s->remove_prefix(1);
    return true;
  }
  *v = ((*s)[0] - '0') * 10 + ((*s)[1] - '0');
  s->remove_prefix(2);
  return true;
}

bool GetNDigits(std::string_view* s, int n, int* v) {
  *v = 0;
  for (int k = 0; k < n; ++k) {
    if (!IsDigitAt(*s, static_cast<size_t>(k))) return false;
    *v = *v * 10 + ((*s)[static_cast<size_t>(k)] - '0');
  }
  s->remove_prefix(static_cast<size_t>(n));
  return true;
}

bool LookupName(std::string_view* s, std::span<const std::string_view> names, size_t len,
                int* index) {
  for (size_t k = 0; k < names.size(); ++k) {
    std::string_view name = len > 0 ? names[k].substr(0, len) : names[k];
    if (s->size() < name.size()) continue;
    bool eq = true;
    for (size_t j = 0; j < name.size() && eq; ++j) {
      eq = std::tolower(static_cast<unsigned char>((*s)[j])) ==
           std::tolower(static_cast<unsigned char>(name[j]));
    }
    if (eq) {
      *index = static_cast<int>(k);
      s->remove_prefix(name.size());
      return true;
    }
  }
  return false;
}

// Reads fractional-second digits after a separator; `n` digits, or any number when n < 0.
bool ParseFraction(std::string_view* s, int n, int64_t* nanos) {
  int64_t v = 0;
  int digits = 0;
  while (IsDigitAt(*s, 0) && (n < 0 || digits < n)) {
    if (digits < 9) v = v * 10 + ((*s)[0] - '0');
    ++digits;
    s->remove_prefix(1);
  }
  if (digits == 0 || (n >= 0 && digits != n)) return false;
  for (int k = digits; k < 9; ++k) v *= 10;
  *nanos = v;
  return true;
}

}  // namespace

bool ParseGoTime(std::string_view layout, std::string_view value, const absl::TimeZone& tz,
                 absl::Time* out, std::string* error) {
  const std::string_view orig_layout = layout, orig_value = value;
  int year = 1, month = 1, day = 1, yday = -1, hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
  int pm = -1;  // -1 unset, 0 AM, 1 PM
  bool have_zone = false;
  int zone_offset = 0;
  auto fail = [&](std::string_view elem, std::string_view rest) {
    *error = StrCat("parsing time ", QuoteString(orig_value), " as ", QuoteString(orig_layout),
                    ": cannot parse ", QuoteString(rest), " as ", QuoteString(elem));
    return false;
  };
  while (true) {
    const Chunk c = NextChunk(layout);
    if (value.substr(0, c.prefix.size()) != c.prefix) return fail(c.prefix, value);
    value.remove_prefix(c.prefix.size());
    if (c.std == Std::kNone) {
      if (!value.empty()) {
        *error =
            StrCat("parsing time ", QuoteString(orig_value), ": extra text: ", QuoteString(value));
        return false;
      }
      break;
    }
    layout = c.suffix;
    const std::string_view rest = value;
    bool ok = true;
    int v = 0;
    switch (c.std) {
      case Std::kYear:
        ok = GetNDigits(&value, 2, &v);
        year = v >= 69 ? 1900 + v : 2000 + v;
        break;
      case Std::kLongYear:
        ok = GetNDigits(&value, 4, &year);
        break;
      case Std::kMonth:
        ok = LookupName(&value, kLongMonths, 3, &v);
        month = v + 1;
        break;
      case Std::kLongMonth:
        ok = LookupName(&value, kLongMonths, 0, &v);
        month = v + 1;
        break;
      case Std::kNumMonth:
      case Std::kZeroMonth:
        ok = GetNum(&value, c.std == Std::kZeroMonth, &month) && month >= 1 && month <= 12;
        break;
      case Std::kWeekDay:
        ok = LookupName(&value, kLongDays, 3, &v);
        break;
      case Std::kLongWeekDay:
        ok = LookupName(&value, kLongDays, 0, &v);
        break;
      case Std::kDay:
      case Std::kUnderDay:
      case Std::kZeroDay:
        if (c.std == Std::kUnderDay && !value.empty() && value[0] == ' ') value.remove_prefix(1);
        ok = GetNum(&value, c.std == Std::kZeroDay, &day);
        break;
      case Std::kUnderYearDay:
      case Std::kZeroYearDay:
        while (c.std == Std::kUnderYearDay && !value.empty() && value[0] == ' ') {
          value.remove_prefix(1);
        }
        ok = GetNDigits(&value, c.std == Std::kZeroYearDay ? 3 : 1, &yday);
        while (c.std == Std::kUnderYearDay && IsDigitAt(value, 0) && yday < 100) {
          yday = yday * 10 + (value[0] - '0');
          value.remove_prefix(1);
        }
        ok = ok && yday >= 1 && yday <= 366;
        break;
      case Std::kHour:
        ok = GetNum(&value, false, &hour) && hour < 24;
        break;
      case Std::kHour12:
      case Std::kZeroHour12:
        ok = GetNum(&value, c.std == Std::kZeroHour12, &hour) && hour >= 0 && hour <= 12;
        break;
      case Std::kMinute:
      case Std::kZeroMinute:
        ok = GetNum(&value, c.std == Std::kZeroMinute, &minute) && minute < 60;
        break;
      case Std::kSecond:
      case Std::kZeroSecond: {
        ok = GetNum(&value, c.std == Std::kZeroSecond, &second) && second < 60;
        // Go accepts a fractional second after the seconds even when the layout has none.
        if (ok && value.size() >= 2 && (value[0] == '.' || value[0] == ',') &&
            IsDigitAt(value, 1)) {
          const Chunk next = NextChunk(layout);
          if (!(next.prefix.empty() &&
                (next.std == Std::kFracSecond0 || next.std == Std::kFracSecond9))) {
            value.remove_prefix(1);
            ok = ParseFraction(&value, -1, &nanos);
          }
        }
        break;
      }
      case Std::kPM:
      case Std::kpm:
        if (value.size() < 2) {
          ok = false;
        } else {
          const std::string p(value.substr(0, 2));
          if (p == "PM" || p == "pm") {
            pm = 1;
          } else if (p == "AM" || p == "am") {
            pm = 0;
          } else {
            ok = false;
          }
          value.remove_prefix(2);
        }
        break;
      case Std::kTZ:
        if (value.substr(0, 3) == "UTC") {
          value.remove_prefix(3);
          have_zone = true;
          zone_offset = 0;
        } else {
          size_t n = 0;
          while (n < value.size() && value[n] >= 'A' && value[n] <= 'Z') ++n;
          ok = n >= 3;
          value.remove_prefix(n);  // an unknown abbreviation reads as the location's time
        }
        break;
      case Std::kFracSecond0:
      case Std::kFracSecond9:
        if (value.empty() || (value[0] != '.' && value[0] != ',')) {
          ok = c.std == Std::kFracSecond9;  // the 9 form may be absent altogether
          break;
        }
        value.remove_prefix(1);
        ok = ParseFraction(&value, c.std == Std::kFracSecond0 ? c.frac_digits : -1, &nanos);
        break;
      default: {  // numeric and ISO 8601 zones
        const bool iso = c.std <= Std::kISO8601ColonSecondsTZ;
        if (iso && !value.empty() && value[0] == 'Z') {
          value.remove_prefix(1);
          have_zone = true;
          zone_offset = 0;
          break;
        }
        const bool colon = c.std == Std::kISO8601ColonTZ || c.std == Std::kISO8601ColonSecondsTZ ||
                           c.std == Std::kNumColonTZ || c.std == Std::kNumColonSecondsTZ;
        const bool secs = c.std == Std::kISO8601SecondsTZ || c.std == Std::kISO8601ColonSecondsTZ ||
                          c.std == Std::kNumSecondsTz || c.std == Std::kNumColonSecondsTZ;
        const bool short_form = c.std == Std::kISO8601ShortTZ || c.std == Std::kNumShortTZ;
        if (value.empty() || (value[0] != '+' && value[0] != '-')) {
          ok = false;
          break;
        }
        const int sign = value[0] == '-' ? -1 : 1;
        value.remove_prefix(1);
        int hh = 0, mm = 0, ss = 0;
        ok = GetNDigits(&value, 2, &hh);
        if (ok && !short_form) {
          if (colon) ok = !value.empty() && value[0] == ':' && (value.remove_prefix(1), true);
          ok = ok && GetNDigits(&value, 2, &mm);
          if (ok && secs) {
            if (colon) ok = !value.empty() && value[0] == ':' && (value.remove_prefix(1), true);
            ok = ok && GetNDigits(&value, 2, &ss);
          }
        }
        have_zone = ok;
        zone_offset = sign * (hh * 3600 + mm * 60 + ss);
        break;
      }
    }
    if (!ok) return fail(c.element, rest);
  }
  if (pm == 1 && hour < 12) hour += 12;
  if (pm == 0 && hour == 12) hour = 0;
  absl::CivilDay cd(year, month, day);
  if (yday > 0) {
    cd = absl::CivilDay(year, 1, 1) + (yday - 1);
  } else if (cd.month() != month || cd.day() != day) {
    *error = StrCat("parsing time ", QuoteString(orig_value), ": day out of range");
    return false;
  }
  const absl::CivilSecond cs(cd.year(), cd.month(), cd.day(), hour, minute, second);
  absl::Time t =
      have_zone ? absl::FromCivil(cs, absl::FixedTimeZone(zone_offset)) : absl::FromCivil(cs, tz);
  *out = t + absl::Nanoseconds(nanos);
  return true;
}

}  // namespace vigil::logql::pipeline
