// SPDX-License-Identifier: MIT
// bench_zxing: see bench_zxing.h.
#define ZX_USE_UTF8 1
#include <cstring>
#include <exception>

#include <ReadBarcode.h>

#include "bench_zxing.h"

extern "C" int bench_zxing_read(const uint8_t *px, unsigned int w, unsigned int h, size_t stride,
				int rgb, struct bench_zxing_code *out, size_t max)
{
	try {
		ZXing::ImageView view(px, (int)w, (int)h,
				      rgb ? ZXing::ImageFormat::RGB : ZXing::ImageFormat::Lum,
				      (int)stride);
		ZXing::DecodeHints hints;
		int n = 0;

		hints.setFormats(ZXing::BarcodeFormat::QRCode);
		for (const auto &r : ZXing::ReadBarcodes(view, hints)) {
			if (!r.isValid())
				continue;
			if ((size_t)n < max) {
				const auto &b = r.bytes();
				std::string t = r.text();
				size_t len = b.size() < sizeof(out[n].bytes) ? b.size() : sizeof(out[n].bytes);
				size_t tl = t.size() < sizeof(out[n].text) - 1 ? t.size() : sizeof(out[n].text) - 1;

				if (len)
					std::memcpy(out[n].bytes, b.data(), len);
				out[n].len = len;
				std::memcpy(out[n].text, t.data(), tl);
				out[n].text[tl] = '\0';
			}
			n++;
		}
		return n;
	} catch (const std::exception &) {
		return -1;
	} catch (...) {
		return -1;
	}
}
