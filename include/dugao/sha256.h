/* sha256: identity of a document's original bytes (FIPS 180-4). */
#ifndef DUGAO_SHA256_H
#define DUGAO_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t state[8];	/* running hash */
	uint64_t bytes;		/* message length so far */
	unsigned char block[64];	/* pending partial block */
	size_t used;		/* bytes pending in block */
};

void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t n);
/* Writes 64 lowercase hex digits and a NUL into hex. */
void sha256_final_hex(struct sha256 *h, char hex[65]);
/* Whether the CPU's SHA instructions are used (when it has them and allow is set);
 * they are by default. For tests, which compare both ways. */
bool sha256_hardware(bool allow);

#endif
