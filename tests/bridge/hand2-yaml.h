/* SPDX-License-Identifier: MIT */
/* The two-joint hand of the bridge tests (hand2.urdf): one bus, two Damiao
 * MIT drives; %s is the simbus bus name. */
#ifndef DX_TESTS_BRIDGE_HAND2_H
#define DX_TESTS_BRIDGE_HAND2_H

static const char yaml_fmt[] =
	"name: bridge2\n"
	"urdf: hand2.urdf\n"
	"period_us: 2000\n"
	"reply_deadline_us: 1500\n"
	"buses:\n"
	"  - name: b0\n"
	"    transport: simbus:%s\n"
	"    bitrate: 1000000\n"
	"    max_load: 0.8\n"
	"actuators:\n"
	"  - name: m0\n"
	"    bus: b0\n"
	"    protocol: mit\n"
	"    model: dm-j4310\n"
	"    id: 1\n"
	"    joint: j0\n"
	"    limits: {position: [-0.47, 0.47], velocity: 6.0, torque: 0.7, temperature: 80}\n"
	"  - name: m1\n"
	"    bus: b0\n"
	"    protocol: mit\n"
	"    model: dm-j4310\n"
	"    id: 2\n"
	"    joint: j1\n"
	"    limits: {position: [-0.19, 1.6], velocity: 6.0, torque: 0.7, temperature: 80}\n"
	"joints:\n"
	"  - name: j0\n"
	"    mode: position\n"
	"    gains: {kp: 10.0, ki: 2.0, kd: 0.2, d_filter_tau: 0.002, i_limit: 0.3}\n"
	"  - name: j1\n"
	"    mode: position\n"
	"    gains: {kp: 10.0, ki: 2.0, kd: 0.2, d_filter_tau: 0.002, i_limit: 0.3}\n"
	"safety:\n"
	"  position_margin: 0.02\n"
	/* a loaded machine may hold the runner thread for a while: lose the
	 * link only after 0.5 s without replies */
	"  link_loss_cycles: 250\n"
	"  damping_kd: 0.02\n";

#endif
