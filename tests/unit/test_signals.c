// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one owner of signals (src/system/signals.c), in child processes so
 * the deaths are observed from outside: hooks run in the order of their
 * rank whatever the order they were registered in (the terminal before the
 * tracefs instance), the first SIGINT only sets the flag and the second
 * runs the hooks and kills, a fatal signal runs them and kills by that
 * signal, a trap turns SIGSEGV into a jump back, and the dispositions of
 * before come back with the last hook. Each hook writes one letter to a
 * pipe; the parent reads what was written and how the child ended.
 * An output file being written (kf_atomic_open) is complete or absent
 * whatever ends kfrag while it traces: a second SIGINT, a crash, exit().
 */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "kf_live_cleanup.h"
#include "kf_signals.h"
#include "kf_util.h"

static int pipe_w = -1;

static void hook_terminal(void)
{
	ssize_t n = write(pipe_w, "T", 1);

	(void)n;
}

static void hook_cleanup(void)
{
	ssize_t n = write(pipe_w, "C", 1);

	(void)n;
}

/* runs body in a child; the letters its hooks wrote, and its wait status */
static void in_child(void (*body)(void), char *out, size_t len, int *status)
{
	int fd[2];
	pid_t pid;
	ssize_t n, got = 0;

	if (pipe(fd) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);	/* the deaths are wanted */
		/* a test run in the background of a non-interactive shell inherits
		 * SIGINT ignored, which the owner rightly keeps; the test is of a
		 * terminal's Ctrl-C, so start from the default */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		close(fd[0]);
		pipe_w = fd[1];
		body();
		_exit(0);
	}
	close(fd[1]);
	while ((size_t)got < len - 1 && (n = read(fd[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(fd[0]);
	waitpid(pid, status, 0);
}

/* registered cleanup first, terminal second: the terminal still goes first */
static void register_both(void)
{
	kf_signals_add(KF_SIGNAL_CLEANUP, hook_cleanup);
	kf_signals_add(KF_SIGNAL_TERMINAL, hook_terminal);
}

static void body_segv(void)
{
	register_both();
	raise(SIGSEGV);
}

static void body_two_sigints(void)
{
	register_both();
	raise(SIGINT);
	if (kf_signals_interrupt() != SIGINT || write(pipe_w, "1", 1) != 1)
		_exit(3);
	raise(SIGINT);
	_exit(4);	/* not reached: the second one kills */
}

static sigjmp_buf jmp;

static void body_trap(void)
{
	if (sigsetjmp(jmp, 1) == 0) {
		kf_signals_trap_arm(&jmp);
		raise(SIGSEGV);
		_exit(5);	/* not reached: the trap jumps */
	}
	kf_signals_trap_disarm();
	if (write(pipe_w, "J", 1) != 1)
		_exit(6);
	/* disarmed and no hook: the default action again */
	raise(SIGSEGV);
}

static void body_released(void)
{
	struct sigaction sa;

	register_both();
	kf_signals_del(hook_terminal);
	kf_signals_del(hook_cleanup);
	sigaction(SIGINT, NULL, &sa);
	if (sa.sa_handler == SIG_DFL && write(pipe_w, "D", 1) != 1)
		_exit(7);
	raise(SIGINT);
}

/* ---- an output file half written when kfrag ends -------------------- */
static char dir[64], out_path[128], restore_path[128];

/* as kfrag record while tracing: a cleanup registered (here a file to
 * write back, which installs the handlers as an instance does), then the
 * trace.dat being written */
static void start_writing(void)
{
	/* static: the child ends with the file open on purpose, and what the
	 * handle holds stays reachable (no leak for make check-sanitize) */
	static struct kf_atomic_file af;

	if (kf_cleanup_add_restore(restore_path, "R") < 0 || kf_atomic_open(&af, out_path, 0644) < 0)
		_exit(8);
	fputs("half a trace", af.fp);
	fflush(af.fp);
	if (write(pipe_w, "W", 1) != 1)
		_exit(9);
}

static void body_write_two_sigints(void)
{
	start_writing();
	raise(SIGINT);
	raise(SIGINT);
	_exit(10);	/* not reached */
}

static void body_write_segv(void)
{
	start_writing();
	raise(SIGSEGV);
}

static void body_write_exit(void)
{
	start_writing();
	exit(1);	/* an error path that forgot kf_atomic_abort */
}

/* the names in dir, but the restore file, as one string */
static void dir_names(char *buf, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	buf[0] = '\0';
	while (d && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && strcmp(de->d_name, "restore") != 0 &&
		    strlen(buf) + strlen(de->d_name) + 2 <= len) {
			strcat(buf, de->d_name);
			strcat(buf, " ");
		}
	if (d)
		closedir(d);
}

static void check_write_ended(void (*body)(void), const char *how, int sig)
{
	char out[16], names[256] = "";
	FILE *f;
	int st, c;

	/* the file to write back exists, as a sysctl's does */
	f = fopen(restore_path, "w");
	if (!f || fputs("0", f) < 0 || fclose(f) != 0)
		exit(99);
	in_child(body, out, sizeof(out), &st);
	CHECK_EQ_STR(out, "W");
	CHECK(sig ? WIFSIGNALED(st) && WTERMSIG(st) == sig : WIFEXITED(st), "%s: status %#x", how, st);
	dir_names(names, sizeof(names));
	CHECK(names[0] == '\0', "%s: left in %s: %s", how, dir, names);
	f = fopen(restore_path, "r");
	c = f ? fgetc(f) : EOF;
	CHECK(c == 'R', "%s: the file to write back was not written", how);
	if (f)
		fclose(f);
	unlink(restore_path);
}

static void check_half_written(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/kfrag-test-signals.XXXXXX");
	if (!mkdtemp(dir))
		exit(99);
	snprintf(out_path, sizeof(out_path), "%s/t.dat", dir);
	snprintf(restore_path, sizeof(restore_path), "%s/restore", dir);
	check_write_ended(body_write_two_sigints, "two SIGINTs while writing", SIGINT);
	check_write_ended(body_write_segv, "SIGSEGV while writing", SIGSEGV);
	check_write_ended(body_write_exit, "exit() while writing", 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0, "%s", cmd);
}

int main(void)
{
	char out[16];
	int st;

	in_child(body_segv, out, sizeof(out), &st);
	CHECK_EQ_STR(out, "TC");
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "SIGSEGV: status %#x", st);

	in_child(body_two_sigints, out, sizeof(out), &st);
	CHECK_EQ_STR(out, "1TC");
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "two SIGINTs: status %#x", st);

	in_child(body_trap, out, sizeof(out), &st);
	CHECK_EQ_STR(out, "J");
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "after the trap: status %#x", st);

	in_child(body_released, out, sizeof(out), &st);
	CHECK_EQ_STR(out, "D");
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "released: status %#x", st);

	check_half_written();
	return check_done();
}
