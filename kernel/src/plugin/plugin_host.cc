// PluginHost: plugin objects and the keep-alive wrappers that tie objects made by a
// plugin to its library.
#include "plugin/plugin_host.h"

#include <algorithm>

#include <boost/dll/shared_library.hpp>

#include "tern/ha.h"
#include "tern/protocol.h"

namespace tern::kernel {

struct PluginHost::Instance {
  LoadedPlugin loaded;
  std::unique_ptr<ConfigView> config;
  std::shared_ptr<Logger> logger;
  std::unique_ptr<PluginContext> context;
  std::unique_ptr<Plugin> object;  // destroyed before `loaded.library` (member order)
  bool started = false;

  PluginKind kind() const { return loaded.descriptor->kind; }
  std::string name() const { return loaded.descriptor->name; }
  // Destroys the object while the library is still loaded.
  ~Instance() { object.reset(); }
};

namespace {

int start_rank(PluginKind kind) {
  switch (kind) {
    case PluginKind::kStore: return 0;
    case PluginKind::kFilter: return 1;
    case PluginKind::kHa: return 2;
    case PluginKind::kProtocol: return 3;
  }
  return 4;
}

// Wraps a plugin's FilterFactory so that each matcher it compiles also holds the plugin's
// library: a matcher kept by a consumer subscription must not outlive the code behind it.
class KeepAliveFilterFactory final : public FilterFactory {
 public:
  KeepAliveFilterFactory(FilterFactory& inner, std::shared_ptr<boost::dll::shared_library> library)
      : inner_(inner), library_(std::move(library)) {}
  Status start() override { return inner_.start(); }
  void stop() override { inner_.stop(); }
  std::string_view expression_type() const override { return inner_.expression_type(); }
  Result<std::shared_ptr<const MessageMatcher>> compile(std::string_view expression) const override {
    auto compiled = inner_.compile(expression);
    if (!compiled) return compiled.status();
    struct Holder {
      std::shared_ptr<boost::dll::shared_library> library;  // destroyed last
      std::shared_ptr<const MessageMatcher> matcher;
    };
    auto holder = std::make_shared<Holder>(Holder{library_, std::move(*compiled)});
    const MessageMatcher* raw = holder->matcher.get();
    return std::shared_ptr<const MessageMatcher>(std::move(holder), raw);
  }

 private:
  FilterFactory& inner_;
  std::shared_ptr<boost::dll::shared_library> library_;
};

}  // namespace

PluginHost::PluginHost(EffectiveConfig& config, IoContextPool& io_pool, LogSinks& log_sinks)
    : config_(config),
      io_pool_(io_pool),
      log_sinks_(log_sinks),
      broker_(std::make_unique<BrokerServicesImpl>(config, log_sinks.make_logger("broker-services"))) {}

PluginHost::~PluginHost() {
  stop_all();
  // Before the libraries go: the services may still hold callbacks or channel references
  // whose code lives in a plugin.
  broker_.reset();
  while (!retired_libraries_.empty()) retired_libraries_.pop_back();  // unload in reverse load order
}

void PluginHost::add(LoadedPlugin plugin) {
  const TernPluginDescriptor& d = *plugin.descriptor;
  config_.declare(std::span<const ConfigKeySpec>(d.config_keys, d.config_key_count), d.config_prefix,
                  std::string("plugin ") + d.name);
  auto instance = std::make_unique<Instance>();
  instance->loaded = std::move(plugin);
  instances_.push_back(std::move(instance));
}

Status PluginHost::create_all() {
  std::stable_sort(instances_.begin(), instances_.end(),
                   [](const auto& a, const auto& b) { return start_rank(a->kind()) < start_rank(b->kind()); });
  for (auto& inst : instances_) {
    const TernPluginDescriptor& d = *inst->loaded.descriptor;
    inst->config = config_.scoped_view(d.config_prefix);
    inst->logger = log_sinks_.make_logger(d.name);
    inst->context = std::make_unique<PluginContext>(PluginContext{*inst->config, *inst->logger, *this});
    Plugin* raw = nullptr;
    try {
      raw = d.create(*inst->context);
    } catch (const std::exception& e) {
      return Status::internal("plugin " + inst->name() + " threw from create(): " + e.what());
    } catch (...) {
      return Status::internal("plugin " + inst->name() + " threw from create()");
    }
    if (raw == nullptr) return Status::internal("plugin " + inst->name() + " could not be created (see its log lines)");
    inst->object.reset(raw);

    switch (inst->kind()) {
      case PluginKind::kStore:
        if (store_) return Status::invalid_argument("two store plugins are loaded; keep one in plugins=");
        store_ = static_cast<MessageStore*>(raw);
        break;
      case PluginKind::kHa:
        if (replication_) return Status::invalid_argument("two ha plugins are loaded; keep one in plugins=");
        replication_ = static_cast<ReplicationService*>(raw);
        break;
      case PluginKind::kFilter: {
        auto* factory = static_cast<FilterFactory*>(raw);
        std::string type(factory->expression_type());
        if (filters_.count(type)) {
          return Status::invalid_argument("two filter plugins provide expression type " + type + "; keep one in plugins=");
        }
        filters_.emplace(type, std::make_unique<KeepAliveFilterFactory>(*factory, inst->loaded.library));
        break;
      }
      case PluginKind::kProtocol:
        break;
    }
  }
  return Status::ok();
}

Status PluginHost::start_broker_services() {
  if (broker_started_) return Status::ok();
  broker_started_ = true;  // stop() is owed even after a failed start
  Status s = broker_->start(store_);
  if (!s.is_ok()) return s.with_context("the broker services failed to start");
  return Status::ok();
}

Status PluginHost::start_all() {
  for (auto& inst : instances_) {
    if (inst->kind() != PluginKind::kStore) {
      if (Status s = start_broker_services(); !s.is_ok()) {
        stop_all();
        return s;
      }
    }
    Status s;
    try {
      s = inst->object->start();
    } catch (const std::exception& e) {
      s = Status::internal(std::string("threw from start(): ") + e.what());
    } catch (...) {
      s = Status::internal("threw from start()");
    }
    inst->started = true;  // stop() is owed even after a failed start
    if (!s.is_ok()) {
      Status failed = s.with_context("plugin " + inst->name() + " failed to start");
      stop_all();
      return failed;
    }
    inst->logger->info("started ", plugin_kind_name(inst->kind()), " plugin ", inst->name(), " ",
                       inst->loaded.descriptor->version);
  }
  if (Status s = start_broker_services(); !s.is_ok()) {  // only store plugins, or none
    stop_all();
    return s;
  }
  return Status::ok();
}

void PluginHost::stop_all() {
  for (auto it = instances_.rbegin(); it != instances_.rend(); ++it) {
    Instance& inst = **it;
    if (inst.kind() == PluginKind::kStore && broker_started_) {
      broker_started_ = false;
      broker_->stop();
    }
    if (!inst.started) continue;
    inst.started = false;
    try {
      inst.object->stop();
    } catch (...) {
      inst.logger->error("plugin ", inst.name(), " threw from stop(); ignored");
    }
  }
  if (broker_started_) {  // no store plugin
    broker_started_ = false;
    broker_->stop();
  }
  filters_.clear();
  store_ = nullptr;
  replication_ = nullptr;
  while (!instances_.empty()) {  // destroy in reverse creation order
    retired_libraries_.push_back(instances_.back()->loaded.library);
    instances_.pop_back();
  }
}

const FilterFactory* PluginHost::filter_factory(std::string_view expression_type) const {
  auto it = filters_.find(expression_type);
  return it == filters_.end() ? nullptr : it->second.get();
}

std::vector<PluginHost::Info> PluginHost::plugins() const {
  std::vector<Info> out;
  for (const auto& inst : instances_) {
    const TernPluginDescriptor& d = *inst->loaded.descriptor;
    out.push_back({d.name, d.version, plugin_kind_name(d.kind), inst->loaded.path});
  }
  return out;
}

}  // namespace tern::kernel
