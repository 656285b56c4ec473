/* cli: the command-line verbs, argument parsing and exit codes. */
#ifndef DUGAO_CLI_H
#define DUGAO_CLI_H

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

/* The whole program: returns the exit status. */
int cli_main(int argc, char **argv);

#endif
