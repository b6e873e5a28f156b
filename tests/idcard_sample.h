/* SPDX-License-Identifier: MIT */
/*
 * The resident ID card the idcard and idreader tests read and decode: a
 * made-up holder with a valid GB 11643 number, valid 2020-01-01 to
 * 2040-01-01.
 */
#ifndef SNT_TESTS_IDCARD_SAMPLE_H
#define SNT_TESTS_IDCARD_SAMPLE_H

#include "idcard/idcard.h"

static const struct snt_idcard_text idcard_sample = {
	.name = "张三丰",
	.sex = "1",
	.nation = "01",
	.birth = "19491231",
	.address = "北京市朝阳区某某路1号",
	.number = "11010519491231002X",
	.authority = "北京市公安局朝阳分局",
	.valid_from = "20200101",
	.valid_to = "20400101",
};

#endif /* SNT_TESTS_IDCARD_SAMPLE_H */
