/* SPDX-License-Identifier: MIT */
/*
 * The bureau's issuing commands, tools/bureau/issue.c:
 *
 *   sentinel-bureau --key KEY policy sign --in RULES.json --out RULES.cose
 *   sentinel-bureau --key KEY badge issue --ref REF --out BADGE.png [--text]
 *   sentinel-bureau --key KEY pass issue --id ID --visitor NAME --from TIME
 *                   --until TIME --out PASS.png [--text]
 *
 * Rule sets, badges and passes are COSE_Sign1 ES256 by the bureau's key
 * (firmware/rules/rules.h); badges and passes are QR codes "SNB1:" + base45,
 * drawn as PNG by the qrencode program.
 */
#ifndef SNT_BUREAU_ISSUE_H
#define SNT_BUREAU_ISSUE_H

/*
 * bureau_issue_main() - run the command when the first operand of @argv
 * (after the options) is "policy", "badge" or "pass".
 * @status: receives the exit status (0 done, 1 refused input, 2 usage or I/O).
 * Return: 1 when the command was one of these (and was run), 0 otherwise
 * (@argv is untouched).
 */
int bureau_issue_main(int argc, char **argv, int *status);

#endif /* SNT_BUREAU_ISSUE_H */
