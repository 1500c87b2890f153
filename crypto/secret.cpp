#include "crypto/secret.hpp"

#include <sodium.h>

#include <cstring>
#include <new>
#include <utility>

namespace urne {

SecretBytes::SecretBytes(std::size_t n) : data_(nullptr), size_(n) {
  if (n > 0) data_ = new std::uint8_t[n]();
}

SecretBytes::~SecretBytes() { wipe(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes SecretBytes::copy_of(ByteView b) {
  SecretBytes s(b.size());
  if (s.data_ != nullptr) std::memcpy(s.data_, b.data(), b.size());
  return s;
}

SecretBytes SecretBytes::random(std::size_t n, Rng& rng) {
  SecretBytes s(n);
  rng.fill({s.data_, s.size_});
  return s;
}

void SecretBytes::wipe() noexcept {
  if (data_ != nullptr) {
    sodium_memzero(data_, size_);
    delete[] data_;
    data_ = nullptr;
  }
  size_ = 0;
}

}  // namespace urne
