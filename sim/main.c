/* main.c -- batchtop-sim's entry point (placeholder until the simulator lands). */
#include "config.h"

#include <stdio.h>

int main(void)
{
    fputs("batchtop-sim: not built yet\n", stderr);
    return 1;
}
