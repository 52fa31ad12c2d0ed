/**
 * Monitoring Regions through JMX: the MXBean interfaces the library registers on the platform MBean
 * server, in the domain {@code dev.regions}.
 */
package dev.regions.management;
