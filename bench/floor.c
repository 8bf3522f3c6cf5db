// The kernel floor for run-to-exit: one clone with the namespaces cask makes, a private
// mount tree, chroot, a fresh /proc, placement in a cgroup, exec of /bin/true, wait.
// Statically linked, no runtime logic at all.
//
//   floor ROOTFS CGROUP_PROCS_FILE RUNS     prints "min median" in milliseconds
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char* rootfs;
static int ready[2];

static int Child(void* arg) {
  (void)arg;
  char byte;
  if (read(ready[0], &byte, 1) != 1) return 1;  // placed in the cgroup
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 || chroot(rootfs) != 0 || chdir("/") != 0 ||
      mount("proc", "/proc", "proc", 0, NULL) != 0) {
    return 1;
  }
  execl("/bin/true", "true", (char*)NULL);
  return 127;
}

static double Now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int Compare(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  rootfs = argv[1];
  int runs = atoi(argv[3]);
  double* times = calloc((size_t)runs, sizeof(double));
  static char stack[256 * 1024];
  for (int i = 0; i < runs; ++i) {
    double start = Now();
    if (pipe(ready) != 0) return 1;
    pid_t pid = clone(Child, stack + sizeof(stack),
                      CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | SIGCHLD, NULL);
    if (pid < 0) return 1;
    FILE* procs = fopen(argv[2], "w");
    if (!procs || fprintf(procs, "%d\n", pid) < 0 || fclose(procs) != 0) return 1;
    if (write(ready[1], "x", 1) != 1) return 1;
    close(ready[0]);
    close(ready[1]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
    times[i] = Now() - start;
  }
  qsort(times, (size_t)runs, sizeof(double), Compare);
  printf("%.2f %.2f\n", times[0], times[runs / 2]);
  return 0;
}
