// How the structured search API names the parts of a log record: one namespace for stream
// labels, the record's built-in parts and its fields.
//
// FieldValue(stream, record, name) resolves `name` in this order: a stream label; the
// built-ins `body` (also `message`, `_line`), `level` (also `severity`: the severity text as
// sent, else the severity's name), `trace_id`, `span_id`, `_pattern` (the body's message
// pattern, below); then the record's fields. Absent is "".
//
// MessagePattern(body) groups messages that differ only in their variable parts, for "errors
// by message": runs of digits become <N>, hex ids and UUIDs <ID>, quoted strings <S>, so
// "payment declined for order 81723" and "… order 99" share "payment declined for order <N>".
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/labels.h"
#include "storage/log_record.h"

namespace vigil::logsearch {

// `scratch` holds the value when it has to be computed (_pattern); the result may point into
// it, the record or the labels.
std::string_view FieldValue(const Labels& stream, const LogRecordView& r, std::string_view name,
                            std::string* scratch);

void MessagePattern(std::string_view body, std::string* out);

}  // namespace vigil::logsearch
