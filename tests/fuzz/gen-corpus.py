#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the text seed corpora of the fuzz targets (can-text, urdf) into
# tests/fuzz/corpus/. The binary codec seeds come from the project's own
# encoders: see gen-corpus.c (`ninja fuzz-gen-corpus` in a normal build).
#
#   tests/fuzz/gen-corpus.py
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def put(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def frame(fid, flags, payload, ts=0):
    """Binary frame in the fuzz-util.h layout, plus a stamp (can-text)."""
    return (struct.pack('<IBB', fid, flags, len(payload)) + bytes(payload) +
            struct.pack('<Q', ts))


# ---- can-text: can-utils frames and candump -L lines ----
text = {
    'std': '123#DEADBEEF',
    'std-empty': '7FF#',
    'ext': '12345678#0011223344556677',
    'rtr': '123#R',
    'rtr-len': '123#R5',
    'fd-brs': '123##1' + '00112233445566778899AABBCCDDEEFF' * 2,
    'fd-esi-64': '1FFFFFFF##3' + 'A5' * 64,
    'fd-empty': '001##0',
    'dotted': '123#DE.AD.BE.EF',
    'blanks': '  \t7E0#0102  ',
    'err-busoff': '20000040#0000000000000000',
    'err-ctrl': '20000004#0004000000000000',
    'log': '(1700000000.123456) can0 123#DEADBEEF',
    'log-fd': '(0000000001.000001) vcan1 18FF00F1##2' + '11' * 12,
    'log-rtr': '(1700000000.000000) can-hand-right 0C1#R',
    'log-err': '(1700000000.999999) can0 20000080#0000000000000000',
    'log-max-sec': '(9223372035.999999) can0 123#00',
    'log-ns': '(12.123456789) can0 123#01',
    'bad-id': 'G23#00',
    'bad-len': '123#0011223344556677889',
    'bad-log': '(17.1 can0 123#00',
}
for k, v in text.items():
    put('can-text', k, v)
put('can-text', 'candump-file', '\n'.join([
    '(1700000000.000100) can0 001#0102030405060708',
    '(1700000000.000200) can0 141#A1000000E8030000',
    '(1700000000.000300) can0 12345678#',
    '(1700000000.000400) can0 0DA01000##1' + '0003' + '1000' * 3 + '00' * 2,
    '(1700000000.000500) can0 701#05',
    '(1700000000.000600) can0 581#4B41600037020000',
]) + '\n')
put('can-text', 'binary-frames',
    frame(0x123, 0, b'\xde\xad\xbe\xef', 1700000000123456789) +
    frame(0x12345678, 1, b'', 5) +
    frame(0x7ff, 2, b'\0' * 8, 0) +
    frame(0x1abcdef0, 1 | 4 | 8, bytes(range(64)), 999) +
    frame(0x40, 32, b'\0\0\0\0\0\0\0\0', 1 << 62))

# ---- urdf: the shipped models and small edge cases ----
for f in sorted(os.listdir(os.path.join(ROOT, 'examples', 'urdf'))):
    if f.endswith('.urdf'):
        shutil.copy(os.path.join(ROOT, 'examples', 'urdf', f),
                    os.path.join(HERE, 'corpus', 'urdf', f))
put('urdf', 'mini-kinds.urdf', '''<?xml version="1.0"?>
<robot name="kinds">
  <link name="base"><inertial><mass value="1"/><origin xyz="0 0 0.1"/>
    <inertia ixx="1" ixy="0" ixz="0" iyy="1" iyz="0" izz="1"/></inertial></link>
  <link name="a"/><link name="b"/><link name="c"/><link name="d"/><link name="e"/>
  <joint name="j1" type="revolute"><parent link="base"/><child link="a"/>
    <origin xyz="0 0 0.1" rpy="0 0 1.5708"/><axis xyz="0 0 1"/>
    <limit lower="-1" upper="1" effort="2" velocity="3"/></joint>
  <joint name="j2" type="continuous"><parent link="a"/><child link="b"/>
    <axis xyz="1 0 0"/></joint>
  <joint name="j3" type="prismatic"><parent link="b"/><child link="c"/>
    <axis xyz="0 1 0"/><limit lower="0" upper="0.05" effort="1" velocity="1"/></joint>
  <joint name="j4" type="fixed"><parent link="base"/><child link="d"/>
    <origin xyz="0.1 0 0"/></joint>
  <joint name="j5" type="revolute"><parent link="d"/><child link="e"/>
    <axis xyz="0 0 1"/><limit lower="-0.5" upper="0.5" effort="1" velocity="1"/>
    <mimic joint="j1" multiplier="0.5" offset="0.1"/></joint>
</robot>
''')
put('urdf', 'single-link.urdf', '<robot name="one"><link name="l"/></robot>')
put('urdf', 'cycle.urdf', '''<robot name="cyc"><link name="a"/><link name="b"/>
<joint name="x" type="fixed"><parent link="a"/><child link="b"/></joint>
<joint name="y" type="fixed"><parent link="b"/><child link="a"/></joint></robot>''')
put('urdf', 'bad-number.urdf', '''<robot name="n"><link name="a"/><link name="b"/>
<joint name="x" type="revolute"><parent link="a"/><child link="b"/>
<axis xyz="0 0 nan"/><limit lower="1e400" upper="-1" effort="0" velocity="0"/></joint></robot>''')
put('urdf', 'entities.urdf', '''<?xml version="1.0"?>
<!DOCTYPE robot [<!ENTITY l "link">]>
<robot name="&amp;&lt;ent"><link name="&#x41;"/></robot>''')

# ---- errframe: kernel frame buffers as a raw socket returns them ----
CAN_EFF, CAN_RTR, CAN_ERR = 0x80000000, 0x40000000, 0x20000000


def kframe(can_id, data=b'', dlc=None):
    """struct can_frame (CAN_MTU = 16), after a size byte of 0."""
    n = len(data) if dlc is None else dlc
    return b'\x00' + struct.pack('<IBBBB', can_id, n, 0, 0, 0) + \
        bytes(data).ljust(8, b'\0')


def kfdframe(can_id, data, flags=0x04):
    """struct canfd_frame (CANFD_MTU = 72), after a size byte of 1."""
    return b'\x01' + struct.pack('<IBBBB', can_id, len(data), flags, 0, 0) + \
        bytes(data).ljust(64, b'\0')


def err(cls, d1=0, d2=0, d3=0, tx=0, rx=0):
    return kframe(CAN_ERR | cls, bytes([0, d1, d2, d3, 0, 0, tx, rx]))


put('errframe', 'data-frames',
    kframe(0x123, b'\xde\xad\xbe\xef') +
    kframe(CAN_EFF | 0x12345678, b'\x01\x02\x03\x04\x05\x06\x07\x08') +
    kframe(CAN_RTR | 0x7ff, b'', dlc=4) +
    kfdframe(0x0da01000 | CAN_EFF, bytes(range(48)), 0x05) +
    kfdframe(0x55, bytes(12), 0x06))
put('errframe', 'bus-off-and-recovery',
    err(0x200, tx=97, rx=3) +                    # counters
    err(0x004 | 0x200, d1=0x08, tx=120, rx=3) +  # controller: tx warning
    err(0x004 | 0x200, d1=0x20, tx=130, rx=3) +  # controller: tx passive
    err(0x040) +                                 # bus-off
    err(0x100) +                                 # restarted
    err(0x004, d1=0x40))                         # back to error active
put('errframe', 'protocol-and-arbitration',
    err(0x002, d1=0x00) +                        # lost arbitration
    err(0x008 | 0x080, d2=0x08, d3=0x08) +       # protocol: bit stuffing
    err(0x004, d1=0x01) +                        # rx overflow
    err(0x010) + err(0x020))                     # no ack, bus error
put('errframe', 'bad-sizes',
    b'\x05' + b'\0' * 5 + b'\x50' + b'\0' * 0x50 +
    kframe(0x123, b'', dlc=9) + kfdframe(0x123, bytes(10)))
