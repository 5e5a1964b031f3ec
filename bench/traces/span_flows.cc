// The shop's request types, composed from the builder's primitives (span_builder.h).
#include <algorithm>
#include <cstdio>

#include "bench/traces/span_builder.h"
#include "common/strings.h"

namespace vigil::bench {
namespace {

constexpr std::string_view kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "shop-android/5.12.0 okhttp/4.12.0",
    "shop-ios/5.12.1 CFNetwork/1494.0.7",
};

constexpr std::string_view kSearchTerms[] = {
    "running shoes", "rain jacket",  "coffee grinder", "usb-c cable",  "desk lamp",
    "yoga mat",      "headphones",   "backpack",       "water bottle", "wool socks",
    "phone case",    "office chair", "tent",           "kettle",       "sunglasses",
};

DbCall Redis(std::string_view op, std::string statement, std::string_view peer) {
  return DbCall{.system = "redis",
                .db_name = "",
                .operation = op,
                .table = "",
                .statement = std::move(statement),
                .peer = peer,
                .port = 6379,
                .median_ms = 0.3,
                .sigma = 0.5,
                .failure = 0.02};
}

DbCall Sql(std::string_view system, std::string_view db, std::string_view op,
           std::string_view table, std::string statement, double median_ms) {
  const bool pg = system == "postgresql";
  return DbCall{.system = system,
                .db_name = db,
                .operation = op,
                .table = table,
                .statement = std::move(statement),
                .peer = pg ? "postgres-primary" : "mysql-catalog",
                .port = pg ? 5432 : 3306,
                .median_ms = median_ms,
                .sigma = 0.8,
                .failure = 0.03};
}

}  // namespace

template <typename Body>
Outcome SpanGenerator::Builder::Call(size_t parent, int64_t at, int service,
                                     std::string_view method, std::string_view route,
                                     std::string target, Body body) {
  if (!Room(2)) return {at, 200, false};
  const size_t c =
      Open(parent, ResourceOf(parent), GenSpanKind::kClient, StrCat("HTTP ", method), at);
  const int64_t there = Work(0.25, 0.4);
  const size_t s =
      Open(c, gen_.Instance(service), GenSpanKind::kServer, StrCat(method, " ", route), at + there);
  const Outcome inner = body(s, at + there + Work(0.08, 0.5));
  int status = inner.status == 0 ? 200 : inner.status;
  // Most services pass a dependency's failure on; some degrade and answer anyway.
  const bool server_failed = inner.failed && Chance() < 0.7;
  if (server_failed) status = 500;
  span(s).end_ns = inner.end_ns + Work(0.15, 0.6);
  HttpServerAttrs(s, method, route, target, status);
  if (server_failed) Fail(s, "InternalServerError", StrCat("handler failed: dependency error"));
  MaybeEvent(s);

  const std::string_view peer = gen_.resources_[ResourceOf(s)].service;
  span(c).end_ns = span(s).end_ns + Work(0.2, 0.4);
  Attr(c, "http.method", std::string(method));
  Attr(c, "http.url", StrCat("http://", peer, ":8080", target));
  Attr(c, "http.status_code", int64_t{status});
  Attr(c, "net.peer.name", std::string(peer));
  Attr(c, "net.peer.port", int64_t{8080});
  Attr(c, "http.request_content_length",
       method == "GET" ? int64_t{0} : static_cast<int64_t>(60 + rng().Below(1500)));
  Baggage(c);
  if (status >= 400) {
    Fail(c, status >= 500 ? "HTTPServerError" : "HTTPClientError",
         StrCat("HTTP ", status, " from ", peer));
  }
  MaybeEvent(c);
  return {span(c).end_ns, status, status >= 500};
}

void SpanGenerator::Builder::Run() {
  const double u = Chance();
  enum Flow { kProduct, kSearchFlow, kCartFlow, kCheckoutFlow, kOrder, kLogin } flow;
  if (u < 0.30) {
    flow = kProduct;
  } else if (u < 0.50) {
    flow = kSearchFlow;
  } else if (u < 0.65) {
    flow = kCartFlow;
  } else if (u < 0.75) {
    flow = kCheckoutFlow;
  } else if (u < 0.90) {
    flow = kOrder;
  } else {
    flow = kLogin;
  }
  // Browsing is often anonymous; everything else needs a session.
  const bool anonymous = (flow == kProduct || flow == kSearchFlow) && Chance() < 0.25;
  const double v = Chance();
  char user[16];
  std::snprintf(user, sizeof(user), "u%06d", static_cast<int>(50000 * v * v * v));
  if (!anonymous) user_ = user;

  std::string_view method = "GET", route;
  std::string target;
  product_ = Product();
  term_ = kSearchTerms[rng().Below(std::size(kSearchTerms))];
  order_ = 4'000'000 + static_cast<int64_t>(rng().Below(900'000));
  switch (flow) {
    case kProduct:
      route = "/api/products/{id}";
      target = StrCat("/api/products/", product_);
      break;
    case kSearchFlow:
      route = "/api/search";
      target = "/api/search?q=";
      for (char ch : term_) target += ch == ' ' ? '+' : ch;
      break;
    case kCartFlow:
      method = "POST";
      route = target = "/api/cart/items";
      break;
    case kCheckoutFlow:
      method = "POST";
      route = target = "/api/checkout";
      break;
    case kOrder:
      route = "/api/orders/{id}";
      target = StrCat("/api/orders/", order_);
      break;
    case kLogin:
      method = "POST";
      route = target = "/api/login";
      break;
  }

  const size_t root =
      Open(0, gen_.Instance(kGateway), GenSpanKind::kServer, StrCat(method, " ", route), start_ns_);
  int64_t t = RateLimit(root, start_ns_ + Work(0.05, 0.5)).end_ns;
  Outcome o;
  if (flow != kLogin && !anonymous) {
    o = ValidateSession(root, t);
    t = o.end_ns;
  }
  if (!o.failed) {
    switch (flow) {
      case kProduct:
        o = ProductPage(root, t);
        break;
      case kSearchFlow:
        o = SearchPage(root, t);
        break;
      case kCartFlow:
        o = AddToCart(root, t);
        break;
      case kCheckoutFlow:
        o = Checkout(root, t);
        break;
      case kOrder:
        o = OrderStatus(root, t);
        break;
      case kLogin:
        o = Login(root, t);
        break;
    }
  }
  const int status =
      o.failed ? (o.status >= 500 ? o.status : 502) : (o.status == 0 ? 200 : o.status);
  span(root).end_ns = o.end_ns + Work(0.1, 0.5);
  HttpServerAttrs(root, method, route, target, status);
  Attr(root, "http.scheme", "https");
  Attr(root, "http.user_agent", std::string(kUserAgents[rng().Below(std::size(kUserAgents))]));
  Attr(root, "client.address",
       StrCat(10 + rng().Below(200), ".", rng().Below(256), ".", rng().Below(256), ".",
              1 + rng().Below(254)));
  if (status >= 500) Fail(root, "BadGateway", StrCat("upstream answered ", o.status));
  MaybeEvent(root);
}

Outcome SpanGenerator::Builder::RateLimit(size_t root, int64_t at) {
  if (!Room(2)) return {at, 0, false};
  const size_t i = Open(root, ResourceOf(root), GenSpanKind::kInternal, "ratelimit.check", at);
  const Outcome r = Db(
      i, at + Work(0.02, 0.3),
      Redis("INCR", StrCat("INCR ratelimit:", user_.empty() ? Hex(8) : user_), "redis-ratelimit"));
  span(i).end_ns = r.end_ns + Work(0.02, 0.3);
  Attr(i, "code.namespace", "shop.gateway.middleware");
  Attr(i, "code.function", "RateLimit");
  AttrBool(i, "ratelimit.allowed", true);
  Baggage(i);
  return {span(i).end_ns, 0, false};  // a failing limiter lets the request through
}

Outcome SpanGenerator::Builder::ValidateSession(size_t parent, int64_t at) {
  return Call(parent, at, kAuth, "GET", "/v1/sessions/validate", "/v1/sessions/validate",
              [&](size_t s, int64_t t) {
                return Db(s, t, Redis("GET", StrCat("GET session:", Hex(16)), "redis-sessions"));
              });
}

Outcome SpanGenerator::Builder::ProductLookup(size_t parent, int64_t at, int64_t product) {
  return Call(
      parent, at, kCatalog, "GET", "/products/{id}", StrCat("/products/", product),
      [&](size_t s, int64_t t) {
        Outcome o = Db(s, t, Redis("GET", StrCat("GET product:", product), "redis-cache"));
        if (o.failed || Chance() < 0.35) {  // a cache miss
          const Outcome p = Db(
              s, o.end_ns,
              Sql("mysql", "catalog", "SELECT", "products",
                  "SELECT id, sku, name, price_cents, currency FROM products WHERE id = ?", 1.2));
          const Outcome img =
              Db(s, p.end_ns,
                 Sql("mysql", "catalog", "SELECT", "product_images",
                     "SELECT url, width, height FROM product_images WHERE product_id = ?", 0.9));
          o = {img.end_ns, 0, p.failed || img.failed};
        }
        return o;
      });
}

Outcome SpanGenerator::Builder::StockCheck(size_t parent, int64_t at, int64_t product) {
  return Call(parent, at, kInventory, "GET", "/stock/{sku}", StrCat("/stock/SKU-", product),
              [&](size_t s, int64_t t) {
                return Db(s, t,
                          Sql("postgresql", "inventory", "SELECT", "stock",
                              "SELECT available, reserved FROM stock WHERE sku = $1", 0.8));
              });
}

Outcome SpanGenerator::Builder::ProductPage(size_t root, int64_t t) {
  const int64_t product = product_;
  const Outcome page =
      Call(root, t, kCatalog, "GET", "/products/{id}/page", StrCat("/products/", product, "/page"),
           [&](size_t s, int64_t at) {
             const Outcome p = ProductLookup(s, at, product);
             const Outcome stock = StockCheck(s, p.end_ns, product);
             const Outcome render =
                 Internal(s, stock.end_ns, "render product page", "RenderProductPage", 1.5, 0.5);
             return Outcome{render.end_ns, 0, p.failed || stock.failed};
           });
  // Recommendations are best effort: their failure does not fail the page.
  const Outcome rec = Call(
      root, page.end_ns, kSearch, "GET", "/recommendations",
      StrCat("/recommendations?product=", product), [&](size_t s, int64_t at) {
        const Outcome q = Db(s, at,
                             DbCall{.system = "elasticsearch",
                                    .db_name = "products",
                                    .operation = "search",
                                    .table = "",
                                    .statement = StrCat("{\"query\":{\"more_like_this\":{\"like\":"
                                                        "[{\"_id\":\"",
                                                        product, "\"}]}},\"size\":8}"),
                                    .peer = "es-search",
                                    .port = 9200,
                                    .median_ms = 12,
                                    .sigma = 0.6,
                                    .failure = 0.03});
        const Outcome r = Internal(s, q.end_ns, "rank candidates", "RankCandidates", 2.5, 0.5);
        return Outcome{r.end_ns, 0, q.failed};
      });
  return {rec.end_ns, page.status, page.failed};
}

Outcome SpanGenerator::Builder::SearchPage(size_t root, int64_t t) {
  const std::string_view term = term_;
  return Call(
      root, t, kSearch, "GET", "/search",
      StrCat("/search?page=1&q=", term.substr(0, term.find(' '))), [&](size_t s, int64_t at) {
        const Outcome q = Db(
            s, at,
            DbCall{.system = "elasticsearch",
                   .db_name = "products",
                   .operation = "search",
                   .table = "",
                   .statement = StrCat("{\"query\":{\"multi_match\":{\"query\":\"", term,
                                       "\",\"fields\":[\"name^3\",\"description\"]}},\"size\":24}"),
                   .peer = "es-search",
                   .port = 9200,
                   .median_ms = 22,
                   .sigma = 0.7,
                   .failure = 0.03});
        if (q.failed) return q;
        const int results = 1 + static_cast<int>(rng().Below(12));
        const Outcome rank = Internal(s, q.end_ns, "rank results", "RankResults", 2.0, 0.6);
        const Outcome batch = Call(
            s, rank.end_ns, kCatalog, "POST", "/products/batch", "/products/batch",
            [&](size_t c, int64_t at2) {
              Outcome o =
                  Db(c, at2,
                     Sql("mysql", "catalog", "SELECT", "products",
                         "SELECT id, sku, name, price_cents FROM products WHERE id IN (?)", 2.5));
              for (int k = 0; k < results && !o.failed; ++k) {
                const Outcome price =
                    Db(c, o.end_ns, Redis("GET", StrCat("GET price:", Product()), "redis-cache"));
                o = {price.end_ns, 0, price.failed};
              }
              return o;
            });
        return Outcome{batch.end_ns, 0, batch.failed};
      });
}

Outcome SpanGenerator::Builder::AddToCart(size_t root, int64_t t) {
  const int64_t product = product_;
  return Call(root, t, kCart, "POST", "/cart/items", "/cart/items", [&](size_t s, int64_t at) {
    const Outcome cart = Db(s, at, Redis("HGETALL", StrCat("HGETALL cart:", user_), "redis-cart"));
    if (cart.failed) return cart;
    const Outcome p = ProductLookup(s, cart.end_ns, product);
    const Outcome stock = StockCheck(s, p.end_ns, product);
    if (p.failed || stock.failed) return Outcome{stock.end_ns, 0, true};
    if (Chance() < 0.03) return Outcome{stock.end_ns, 409, false};  // out of stock
    const Outcome price = Internal(s, stock.end_ns, "price cart", "PriceCart", 0.8, 0.5);
    return Db(s, price.end_ns,
              Redis("HSET", StrCat("HSET cart:", user_, " SKU-", product, " 1"), "redis-cart"));
  });
}

Outcome SpanGenerator::Builder::Checkout(size_t root, int64_t t) {
  const double u = Chance();
  const int items = 1 + static_cast<int>(7 * u * u);
  return Call(root, t, kCheckout, "POST", "/checkout", "/checkout", [&](size_t s, int64_t at) {
    const Outcome cart = Call(s, at, kCart, "GET", "/cart", "/cart", [&](size_t c, int64_t at2) {
      return Db(c, at2, Redis("HGETALL", StrCat("HGETALL cart:", user_), "redis-cart"));
    });
    if (cart.failed) return cart;
    const Outcome valid = Internal(s, cart.end_ns, "validate cart", "ValidateCart", 0.6, 0.5);
    const Outcome reserve =
        Call(s, valid.end_ns, kInventory, "POST", "/reservations", "/reservations",
             [&](size_t c, int64_t at2) {
               Outcome o{at2, 0, false};
               for (int k = 0; k < items && !o.failed; ++k) {
                 o = Db(c, o.end_ns,
                        Sql("postgresql", "inventory", "UPDATE", "stock",
                            "UPDATE stock SET reserved = reserved + $1 WHERE sku = $2 AND "
                            "available - reserved >= $1",
                            1.1));
               }
               if (!o.failed && Chance() < 0.02) o.status = 409;  // a shortage
               return o;
             });
    if (reserve.failed || reserve.status != 200) return reserve;
    const Outcome pay = Call(
        s, reserve.end_ns, kPayments, "POST", "/payments/charge", "/payments/charge",
        [&](size_t p, int64_t at2) {
          const Outcome fraud = Internal(p, at2, "fraud.score", "ScoreOrder", 4, 0.5);
          if (!Room(1)) return fraud;
          const size_t c = Open(p, ResourceOf(p), GenSpanKind::kClient, "HTTP POST", fraud.end_ns);
          const double v = Chance();
          const int status = v < 0.04 ? 402 : v < 0.05 ? 504 : 201;
          span(c).end_ns = fraud.end_ns + (status == 504 ? 5'000'000'000 : Work(180, 0.5));
          Attr(c, "http.method", "POST");
          Attr(c, "http.url", "https://api.payprovider.example/v1/charges");
          Attr(c, "http.status_code", int64_t{status});
          Attr(c, "net.peer.name", "api.payprovider.example");
          Attr(c, "net.peer.port", int64_t{443});
          Attr(c, "http.request_content_length", static_cast<int64_t>(300 + rng().Below(400)));
          Baggage(c);
          if (status == 402) Fail(c, "CardDeclined", "card declined: insufficient_funds");
          if (status == 504) Fail(c, "TimeoutError", "payment provider timed out after 5s");
          MaybeEvent(c);
          if (status != 201) return Outcome{span(c).end_ns, status == 402 ? 402 : 0, status == 504};
          return Db(p, span(c).end_ns,
                    Sql("postgresql", "payments", "INSERT", "payments",
                        "INSERT INTO payments (order_ref, amount_cents, currency, provider_ref) "
                        "VALUES ($1, $2, $3, $4)",
                        1.5));
        });
    if (pay.failed || pay.status != 200) return pay;
    const Outcome order =
        Call(s, pay.end_ns, kOrders, "POST", "/orders", "/orders", [&](size_t o, int64_t at2) {
          Outcome r = Db(o, at2,
                         Sql("postgresql", "orders", "INSERT", "orders",
                             "INSERT INTO orders (user_id, total_cents, status) VALUES ($1, $2, "
                             "'placed') RETURNING id",
                             1.4));
          for (int k = 0; k < items && !r.failed; ++k) {
            r = Db(o, r.end_ns,
                   Sql("postgresql", "orders", "INSERT", "order_items",
                       "INSERT INTO order_items (order_id, sku, quantity, price_cents) VALUES ($1, "
                       "$2, $3, $4)",
                       0.7));
          }
          if (r.failed) return r;
          // The confirmation mail is best effort.
          const Outcome mail =
              Call(o, r.end_ns, kNotifications, "POST", "/notifications/order-confirmation",
                   "/notifications/order-confirmation", [&](size_t n, int64_t at3) {
                     const Outcome tpl =
                         Internal(n, at3, "render template", "RenderOrderConfirmation", 1.5, 0.4);
                     return Db(n, tpl.end_ns,
                               DbCall{.system = "smtp",
                                      .db_name = "",
                                      .operation = "SEND",
                                      .table = "",
                                      .statement = "SEND order-confirmation",
                                      .peer = "smtp-relay",
                                      .port = 587,
                                      .median_ms = 40,
                                      .sigma = 0.5,
                                      .failure = 0.02});
                   });
          return Outcome{mail.end_ns, 201, false};
        });
    if (order.failed) return order;
    const Outcome clear =
        Call(s, order.end_ns, kCart, "DELETE", "/cart", "/cart", [&](size_t c, int64_t at2) {
          return Db(c, at2, Redis("DEL", StrCat("DEL cart:", user_), "redis-cart"));
        });
    return Outcome{clear.end_ns, 201, false};
  });
}

Outcome SpanGenerator::Builder::OrderStatus(size_t root, int64_t t) {
  const double u = Chance();
  const int items = 1 + static_cast<int>(7 * u * u);
  return Call(root, t, kOrders, "GET", "/orders/{id}", StrCat("/orders/", order_),
              [&](size_t s, int64_t at) {
                const Outcome o = Db(s, at,
                                     Sql("postgresql", "orders", "SELECT", "orders",
                                         "SELECT id, status, total_cents, created_at FROM "
                                         "orders WHERE id = $1 AND user_id = $2",
                                         0.9));
                if (o.failed) return o;
                const Outcome li = Db(s, o.end_ns,
                                      Sql("postgresql", "orders", "SELECT", "order_items",
                                          "SELECT sku, quantity, price_cents FROM order_items "
                                          "WHERE order_id = $1",
                                          0.8));
                if (li.failed) return li;
                // The items' details are fetched in parallel.
                Outcome all{li.end_ns, 0, false};
                for (int k = 0; k < items; ++k) {
                  const Outcome p = ProductLookup(
                      s, li.end_ns + static_cast<int64_t>(rng().Below(300'000)), Product());
                  all.end_ns = std::max(all.end_ns, p.end_ns);
                  all.failed = all.failed || p.failed;
                }
                return all;
              });
}

Outcome SpanGenerator::Builder::Login(size_t root, int64_t t) {
  return Call(root, t, kAuth, "POST", "/v1/login", "/v1/login", [&](size_t s, int64_t at) {
    const Outcome u = Db(s, at,
                         Sql("postgresql", "auth", "SELECT", "users",
                             "SELECT id, password_hash, mfa_enabled FROM users WHERE "
                             "email = $1",
                             0.9));
    if (u.failed) return u;
    const Outcome h = Internal(s, u.end_ns, "bcrypt.verify", "VerifyPassword", 55, 0.2);
    if (Chance() < 0.06) return Outcome{h.end_ns, 401, false};  // a wrong password
    return Db(s, h.end_ns,
              Redis("SET", StrCat("SET session:", Hex(16), " EX 86400"), "redis-sessions"));
  });
}

}  // namespace vigil::bench
