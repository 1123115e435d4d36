/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The baseline kfrag report is measured against: libtracecmd opening a
 * trace.dat and iterating every record of the top buffer and every buffer
 * instance in timestamp order, doing nothing with them.
 */
#include <stdio.h>

#include <trace-cmd.h>

static int count_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	(*(unsigned long long *)data)++;
	return 0;
}

int main(int argc, char **argv)
{
	struct tracecmd_input *handles[64];
	unsigned long long n = 0;
	int nr = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: bare_iterate TRACE.DAT\n");
		return 2;
	}
	handles[nr] = tracecmd_open(argv[1], TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (!handles[nr]) {
		fprintf(stderr, "bare_iterate: cannot open %s\n", argv[1]);
		return 1;
	}
	nr++;
	for (int i = 0; i < tracecmd_buffer_instances(handles[0]) && nr < 64; i++)
		handles[nr++] = tracecmd_buffer_instance_handle(handles[0], i);
	tracecmd_iterate_events_multi(handles, nr, count_record, &n);
	printf("%llu\n", n);
	for (int i = nr - 1; i >= 0; i--)
		tracecmd_close(handles[i]);
	return 0;
}
