/* SPDX-License-Identifier: MIT */
/* The two system calls the user-mode-linux guest init needs and the host
 * may lack tools for (kmod is not always installed):
 *   dx-vm-sys insmod FILE.ko...   load kernel modules in order
 *   dx-vm-sys poweroff            power the guest off (ends the VM)
 * Runs only inside the guest, as its pid 1's child. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

static int load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "dx-vm-sys: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* finit_module has no glibc wrapper. EEXIST: already loaded (or
	 * built in), which is what we wanted. */
	if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) {
		fprintf(stderr, "dx-vm-sys: load %s: %s\n", path,
			strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc >= 2 && strcmp(argv[1], "poweroff") == 0) {
		sync();
		reboot(RB_POWER_OFF);
		fprintf(stderr, "dx-vm-sys: poweroff: %s\n", strerror(errno));
		return 1;
	}
	if (argc >= 2 && strcmp(argv[1], "insmod") == 0) {
		for (int i = 2; i < argc; i++)
			rc |= load(argv[i]);
		return rc;
	}
	fprintf(stderr, "usage: dx-vm-sys insmod FILE.ko... | poweroff\n");
	return 2;
}
