// The request flows of the log workload: which services a request touches, what each one
// logs, and where failures are injected.
#include <array>
#include <cmath>
#include <string>
#include <string_view>

#include "bench/logs/log_trace.h"
#include "bench/logs/log_workload.h"
#include "common/strings.h"

namespace vigil::bench {

namespace {

constexpr std::array<std::string_view, 8> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0) Firefox/125.0",
    "Mozilla/5.0 (Macintosh) Safari/605.1.15",
    "Mozilla/5.0 (iPhone; iOS 17_4) Mobile",
    "Mozilla/5.0 (Android 14) Chrome/124.0",
    "shop-ios/5.12.0 CFNetwork/1494",
    "shop-android/5.11.3 okhttp/4.12",
    "curl/8.5.0",
    "Go-http-client/1.1",
};
constexpr std::array<std::string_view, 12> kSearchTerms = {
    "red shoes",    "usb-c cable", "winter jacket",  "coffee grinder",
    "yoga mat",     "phone case",  "desk lamp",      "running socks",
    "water bottle", "backpack",    "wireless mouse", "tea kettle"};
constexpr std::array<std::string_view, 3> kDeclineReasons = {"insufficient_funds", "card_declined",
                                                             "expired_card"};

double Tenths(double ms) { return std::round(ms * 10) / 10; }
std::string Ms(double ms) { return StrCat(static_cast<int64_t>(std::lround(ms)), "ms"); }
}  // namespace

void LogGenerator::Access(Trace& t, std::string_view method, std::string_view route,
                          std::string path, int status, const std::string& client_ip) {
  t.Advance(0.2, 1.5);
  const double ms = Tenths(t.ElapsedMs());
  std::string_view level = kInfo;
  std::string_view code;
  if (status >= 500) {
    level = kError;
    code = status == 504 ? "TIMEOUT" : "UPSTREAM_UNAVAILABLE";
  } else if (status >= 400) {
    level = kWarn;
  }
  LogRecord& r = t.Line(kGateway, level, StrCat(method, " ", path, " ", status, " in ", Ms(ms)));
  r.http_method = method;
  r.http_route = route;
  r.status_code = status;
  r.duration_ms = ms;
  r.error_code = code;
  r.attributes.push_back({"client_ip", client_ip});
  r.attributes.push_back({"user_agent", std::string(kUserAgents[rng_.Below(kUserAgents.size())])});
}

namespace {
std::string ClientIp(Rng& rng) {
  // Two draws in two statements: the order of evaluation of function arguments is
  // unspecified, and the workload must be the same whichever compiler built it.
  const std::string_view net = rng.Below(2) == 0 ? "203.0.113." : "198.51.100.";
  return StrCat(net, 1 + rng.Below(254));
}
}  // namespace

void LogGenerator::Browse(Trace& t) {
  const std::string ip = ClientIp(rng_);
  if (Chance() < 0.01) {
    LogRecord& r = t.Line(kGateway, kWarn, StrCat("rate limit exceeded for client ", ip));
    r.attributes.push_back({"client_ip", ip});
    Access(t, "GET", "/api/products/{id}", StrCat("/api/products/", Digits(rng_, 10000, 99999)),
           429, ip);
    return;
  }
  const std::string product = Digits(rng_, 10000, 99999);
  t.Advance(0.3, 2);
  const double cache = Chance();
  if (cache < 0.3) {
    t.Line(kSearch, kDebug, StrCat("cache hit for key product:", product));
  } else if (cache < 0.4) {
    t.Line(kSearch, kDebug, StrCat("cache miss for key product:", product, ", loading from db"));
    t.Advance(3, 25);
  }
  t.Advance(1, 8);
  if (Chance() < 0.03) {
    t.Advance(50, 300);
    LogRecord& e = t.Line(kInventory, kError, "stock query failed: connection pool exhausted");
    e.error_code = "DB_POOL_EXHAUSTED";
    e.attributes.push_back({"sku", StrCat("SKU-", product)});
    Access(t, "GET", "/api/products/{id}", StrCat("/api/products/", product), 503, ip);
    return;
  }
  const uint64_t units = rng_.Below(60);
  LogRecord& r = t.Line(kInventory, units < 3 ? kWarn : kDebug,
                        StrCat(units < 3 ? "low stock for sku SKU-" : "stock for sku SKU-", product,
                               ": ", units, " units"));
  r.attributes.push_back({"sku", StrCat("SKU-", product)});
  const bool missing = Chance() < 0.01;
  Access(t, "GET", "/api/products/{id}", StrCat("/api/products/", product), missing ? 404 : 200,
         ip);
}

void LogGenerator::Search(Trace& t) {
  const std::string ip = ClientIp(rng_);
  const std::string_view term = kSearchTerms[rng_.Below(kSearchTerms.size())];
  t.Advance(0.5, 3);
  if (InIncident(t.now()) ? Chance() < 0.3 : Chance() < 0.01) {
    LogRecord& e = t.Line(kSearch, kError, "connection refused to redis:6379");
    e.error_code = "CONNECTION_REFUSED";
    t.Line(kSearch, kWarn, "cache unavailable, querying the index directly");
    t.Advance(20, 80);
  } else if (Chance() < 0.3) {
    t.Line(kSearch, kDebug, StrCat("cache miss for query \"", term, "\""));
  }
  if (Chance() < 0.04) {
    t.Advance(1000, 1000.1);
    LogRecord& e =
        t.Line(kSearch, kError,
               StrCat("index shard ", rng_.Below(8), " timed out after 1000ms for \"", term, "\""));
    e.error_code = "TIMEOUT";
    e.duration_ms = 1000;
    Access(t, "GET", "/api/search", StrCat("/api/search?q=", term.substr(0, term.find(' '))), 504,
           ip);
    return;
  }
  double ms = Tenths(5 + 40 * SkewedChance());
  const bool slow = Chance() < 0.04;
  if (slow) ms = Tenths(800 + 1500 * Chance());
  t.Advance(ms, ms + 0.1);
  LogRecord& r = t.Line(kSearch, slow ? kWarn : kInfo,
                        StrCat(slow ? "slow search \"" : "search \"", term, "\" returned ",
                               rng_.Below(200), " results in ", Ms(ms)));
  r.duration_ms = ms;
  Access(t, "GET", "/api/search", StrCat("/api/search?q=", term.substr(0, term.find(' '))), 200,
         ip);
}

void LogGenerator::OrderStatus(Trace& t) {
  const std::string ip = ClientIp(rng_);
  const std::string user = StrCat("u-", Digits(rng_, 100000, 999999));
  const std::string order = Digits(rng_, 10000, 999999);
  ValidateToken(t, user);
  t.Advance(2, 20);
  int status = 200;
  if (Chance() < 0.03) {
    t.Advance(2000, 2001);
    LogRecord& e =
        t.Line(kOrders, kError, StrCat("database timeout after 2000ms loading order ", order));
    e.error_code = "TIMEOUT";
    e.duration_ms = 2000;
    e.attributes.push_back({"order_id", order});
    status = 504;
  } else {
    LogRecord& r = t.Line(kOrders, kInfo,
                          StrCat("loaded order ", order, " with ", 1 + rng_.Below(6), " items"));
    r.attributes.push_back({"order_id", order});
  }
  Access(t, "GET", "/api/orders/{id}", StrCat("/api/orders/", order), status, ip);
}

void LogGenerator::ValidateToken(Trace& t, const std::string& user) {
  t.Advance(0.3, 2);
  const double pick = Chance();
  if (pick < 0.03) {
    t.Line(kAuth, kWarn, StrCat("token of user ", user, " expires in ", 5 + rng_.Below(55), "s"));
  } else if (pick < 0.6) {
    t.Line(kAuth, kDebug, StrCat("token validated for user ", user));
  }
}

void LogGenerator::Login(Trace& t) {
  const std::string ip = ClientIp(rng_);
  const std::string user = StrCat("u-", Digits(rng_, 100000, 999999));
  t.Advance(20, 90);  // password hashing
  int status = 200;
  if (Chance() < 0.08) {
    LogRecord& r = t.Line(kAuth, kWarn, StrCat("invalid password for user ", user));
    r.attributes.push_back({"client_ip", ip});
    status = 401;
  } else {
    t.Line(kAuth, kInfo, StrCat("user ", user, " logged in"));
  }
  Access(t, "POST", "/api/login", "/api/login", status, ip);
}

void LogGenerator::Checkout(Trace& t) {
  const std::string ip = ClientIp(rng_);
  const std::string user = StrCat("u-", Digits(rng_, 100000, 999999));
  const std::string cart = StrCat("c-", Hex(8));
  const std::string order = Digits(rng_, 10000, 999999);
  const uint64_t items = 1 + rng_.Below(5);
  const std::string_view route = "/api/checkout";
  ValidateToken(t, user);
  t.Advance(1, 4);
  LogRecord& start = t.Line(kCheckout, kInfo,
                            StrCat("checkout started for cart ", cart, " with ", items, " items"));
  start.attributes.push_back({"cart_id", cart});
  start.attributes.push_back({"user_id", user});

  // Stock.
  t.Advance(3, 15);
  if (Chance() < 0.05) {
    const std::string sku = StrCat("SKU-", Digits(rng_, 10000, 99999));
    LogRecord& e = t.Line(kInventory, kError,
                          StrCat("insufficient stock for sku ", sku, ": requested ", items,
                                 ", available ", rng_.Below(items)));
    e.error_code = "INVENTORY_SHORTAGE";
    e.attributes.push_back({"sku", sku});
    t.Advance(0.5, 2);
    t.Line(kCheckout, kWarn, StrCat("checkout aborted for cart ", cart, ": inventory shortage"));
    Access(t, "POST", route, std::string(route), 409, ip);
    return;
  }
  LogRecord& reserved =
      t.Line(kInventory, kInfo, StrCat("reserved ", items, " items for cart ", cart));
  reserved.attributes.push_back({"cart_id", cart});

  // Payment.
  t.Advance(1, 4);
  const uint64_t cents = 500 + rng_.Below(30000);
  LogRecord& charge = t.Line(kPayments, kInfo,
                             StrCat("charging ", cents / 100, ".", cents % 100 / 10, cents % 10,
                                    " EUR for order ", order));
  charge.attributes.push_back({"order_id", order});
  if (Chance() < 0.05) {
    t.Advance(30, 120);
    LogRecord& retry =
        t.Line(kPayments, kWarn,
               StrCat("provider returned 502 for order ", order, ", retrying (attempt 2)"));
    retry.attributes.push_back({"order_id", order});
  }
  const double pick = Chance();
  if (pick < 0.12) {
    const double ms = Tenths(60 + 700 * Chance());
    t.Advance(ms, ms + 0.1);
    LogRecord& e = t.Line(kPayments, kError,
                          StrCat("payment declined for order ", order, ": ",
                                 kDeclineReasons[rng_.Below(kDeclineReasons.size())]));
    e.error_code = "PAYMENT_DECLINED";
    e.duration_ms = ms;
    e.attributes.push_back({"order_id", order});
    t.Advance(0.5, 2);
    t.Line(kCheckout, kWarn, StrCat("checkout failed for order ", order, ": payment declined"));
    Access(t, "POST", route, std::string(route), 402, ip);
    return;
  }
  if (pick < 0.14) {
    t.Advance(40, 150);
    LogRecord& e = t.Line(
        kPayments, kError,
        StrCat("fraud check rejected order ", order, ": risk score 0.", 90 + rng_.Below(10)));
    e.error_code = "FRAUD_SUSPECTED";
    e.attributes.push_back({"order_id", order});
    t.Advance(0.5, 2);
    t.Line(kCheckout, kWarn, StrCat("checkout failed for order ", order, ": payment rejected"));
    Access(t, "POST", route, std::string(route), 402, ip);
    return;
  }
  if (pick < 0.17) {
    t.Advance(3000, 3000.1);
    LogRecord& e = t.Line(kPayments, kError,
                          StrCat("payment provider timed out after 3000ms for order ", order));
    e.error_code = "TIMEOUT";
    e.duration_ms = 3000;
    e.attributes.push_back({"order_id", order});
    Access(t, "POST", route, std::string(route), 504, ip);
    return;
  }
  const double pay_ms = Tenths(90 + 400 * SkewedChance());
  t.Advance(pay_ms, pay_ms + 0.1);
  LogRecord& ok =
      t.Line(kPayments, kInfo, StrCat("payment authorized for order ", order, " in ", Ms(pay_ms)));
  ok.duration_ms = pay_ms;
  ok.attributes.push_back({"order_id", order});

  t.Advance(2, 10);
  LogRecord& created = t.Line(kOrders, kInfo, StrCat("order ", order, " created"));
  created.attributes.push_back({"order_id", order});
  created.attributes.push_back({"user_id", user});

  // Confirmation mail: smtp hiccups now and then; redis refuses during the incident.
  t.Advance(1, 5);
  if (InIncident(t.now()) ? Chance() < 0.3 : Chance() < 0.01) {
    LogRecord& e = t.Line(kNotifications, kError, "connection refused to redis:6379");
    e.error_code = "CONNECTION_REFUSED";
  } else {
    if (Chance() < 0.02) {
      t.Line(kNotifications, kWarn, "connection refused to smtp:25, retrying in 200ms");
      t.Advance(200, 210);
    }
    LogRecord& sent =
        t.Line(kNotifications, kInfo, StrCat("sent order_confirmation email to user ", user));
    sent.attributes.push_back({"user_id", user});
  }
  t.Advance(0.5, 2);
  const double total = Tenths(t.ElapsedMs());
  LogRecord& done =
      t.Line(kCheckout, kInfo, StrCat("checkout completed for order ", order, " in ", Ms(total)));
  done.duration_ms = total;
  done.attributes.push_back({"order_id", order});
  Access(t, "POST", route, std::string(route), 201, ip);
}

void LogGenerator::Background(int64_t t0) {
  const std::string_view env = Chance() < 0.9 ? "prod" : "staging";
  Trace t(this, t0, env, false);
  const double ms = Tenths(20 + 2000 * SkewedChance());
  switch (rng_.Below(9)) {
    case 0:
      t.Line(kInventory, kInfo,
             StrCat("refreshed stock cache: ", Digits(rng_, 10000, 20000), " skus in ", Ms(ms)))
          .duration_ms = ms;
      break;
    case 1:
      t.Line(kNotifications, kDebug, StrCat("email queue depth ", rng_.Below(40)));
      break;
    case 2:
      t.Line(kOrders, kInfo, StrCat("archived ", rng_.Below(500), " orders older than 90d"));
      break;
    case 3:
      t.Line(kSearch, kInfo, StrCat("reindexed ", rng_.Below(2000), " documents in ", Ms(ms)))
          .duration_ms = ms;
      break;
    case 4:
      t.Line(kAuth, kInfo, StrCat("rotated signing key kid-", Hex(6)));
      break;
    case 5:
      t.Line(kPayments, kDebug, StrCat("provider health check ok in ", Ms(ms / 20)));
      break;
    case 6:
      t.Line(kGateway, kDebug, StrCat("config reloaded, ", 40 + rng_.Below(8), " routes"));
      break;
    case 7:
      t.Line(kCheckout, kInfo, StrCat("expired ", rng_.Below(50), " abandoned carts"));
      break;
    default:
      t.Line(static_cast<int>(rng_.Below(kServices)), kWarn,
             "connection refused to redis:6379, retrying in 100ms");
      break;
  }
  scheduled_ += t.Flush();
}

}  // namespace vigil::bench
