// HTTP header fields: an ordered list of (name, value) with ASCII case-insensitive name
// lookup, used by requests, responses and the client. Repeated names are kept in order.
//
// A value type; not synchronized (one owner at a time).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string AsciiToLower(std::string_view s);

class HttpHeaders {
 public:
  using Field = std::pair<std::string, std::string>;

  HttpHeaders() = default;
  HttpHeaders(std::initializer_list<Field> fields) : fields_(fields) {}

  // The first value of `name`, or nullopt when absent.
  std::optional<std::string_view> Get(std::string_view name) const;
  // The first value of `name`, or "" when absent.
  std::string_view GetOr(std::string_view name, std::string_view fallback = {}) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  // Appends a field, keeping earlier ones with the same name.
  void Add(std::string_view name, std::string_view value);
  // Replaces every field named `name` with one field.
  void Set(std::string_view name, std::string_view value);
  void Remove(std::string_view name);
  void Clear() { fields_.clear(); }

  const std::vector<Field>& fields() const { return fields_; }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

// True when an `Accept-Encoding` value lists `coding` (e.g. "gzip") without `q=0`.
bool AcceptsEncoding(std::string_view accept_encoding, std::string_view coding);

}  // namespace vigil
