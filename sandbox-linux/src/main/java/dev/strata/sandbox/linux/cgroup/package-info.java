/** Reading a container's cgroup on v1, v2 and hybrid hosts: OOM kills, memory, CPU. Internal. */
@NullMarked
package dev.strata.sandbox.linux.cgroup;

import org.jspecify.annotations.NullMarked;
