#include "config.h"

#include <locale.h>

#include "dugao/cli.h"

int main(int argc, char **argv)
{
	/* the character type is all dugao takes from the locale (UTF-8 or not, character
	 * widths): LC_ALL would also load a dozen categories never used, and make printf
	 * write numbers with a decimal comma */
	setlocale(LC_CTYPE, "");
	return cli_main(argc, argv);
}
