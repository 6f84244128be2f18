#include "cli/cli.h"

int main(int argc, char** argv) {
  return vmapple::vmapple_main(argc, argv);
}
