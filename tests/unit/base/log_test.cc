#include "base/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/error.h"

namespace vmapple {
namespace {

trace::Category kAlpha("test-alpha");
trace::Category kAlphaTwo("test-alpha-two");
trace::Category kBeta("test-beta");

struct Captured {
  std::vector<std::pair<std::string, std::string>> lines;
};

class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    trace::set_sink([this](std::string_view c, std::string_view m) {
      captured_.lines.emplace_back(std::string(c), std::string(m));
    });
    trace::configure("-test-*");
  }
  void TearDown() override { trace::reset_sink(); }
  Captured captured_;
};

TEST_F(TraceTest, DisabledCategoryDoesNotFormatOrEmit) {
  int evaluated = 0;
  auto costly = [&] { return ++evaluated; };
  VMAPPLE_TRACE(kAlpha, "value {}", costly());
  EXPECT_EQ(evaluated, 0);
  EXPECT_TRUE(captured_.lines.empty());
}

TEST_F(TraceTest, GlobsEnableAndDisable) {
  trace::configure("test-alpha*");
  EXPECT_TRUE(kAlpha.enabled());
  EXPECT_TRUE(kAlphaTwo.enabled());
  EXPECT_FALSE(kBeta.enabled());
  trace::configure("-test-alpha-two,test-beta");
  EXPECT_TRUE(kAlpha.enabled());
  EXPECT_FALSE(kAlphaTwo.enabled());
  EXPECT_TRUE(kBeta.enabled());
  VMAPPLE_TRACE(kAlpha, "a={}", 7);
  ASSERT_EQ(captured_.lines.size(), 1u);
  EXPECT_EQ(captured_.lines[0].first, "test-alpha");
  EXPECT_EQ(captured_.lines[0].second, "a=7");
}

TEST_F(TraceTest, PatternMatchingNothingIsAConfigError) {
  EXPECT_THROW(trace::configure("no-such-category*"), ConfigError);
  EXPECT_NO_THROW(trace::configure("guest-error,unassigned,-unassigned"));
}

TEST_F(TraceTest, CategoryNamesAreListedOnce) {
  auto names = trace::category_names();
  EXPECT_EQ(std::count(names.begin(), names.end(), "test-alpha"), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), "guest-error"), 1);
  EXPECT_EQ(trace::find("test-beta"), &kBeta);
  EXPECT_EQ(trace::find("nope"), nullptr);
}

TEST_F(TraceTest, GuestErrorsAreCountedAndRateLimited) {
  trace::configure("guest-error");
  uint64_t before = trace::guest_error_count();
  for (int i = 0; i < 1000; ++i)
    guest_error("dev", "bad register {}", i);
  EXPECT_EQ(trace::guest_error_count() - before, 1000u);
  // A burst of at most 20 lines (plus what refilled during the loop).
  EXPECT_GE(captured_.lines.size(), 1u);
  EXPECT_LE(captured_.lines.size(), 30u);
  EXPECT_EQ(captured_.lines[0].first, "guest-error");
  EXPECT_EQ(captured_.lines[0].second.rfind("dev: bad register", 0), 0u);
}

TEST_F(TraceTest, GuestErrorsAreCountedWhenTheCategoryIsOff) {
  trace::configure("-guest-error");
  uint64_t before = trace::guest_error_count();
  guest_error("dev", "ignored");
  EXPECT_EQ(trace::guest_error_count() - before, 1u);
  EXPECT_TRUE(captured_.lines.empty());
  trace::configure("guest-error");
}

}  // namespace
}  // namespace vmapple
