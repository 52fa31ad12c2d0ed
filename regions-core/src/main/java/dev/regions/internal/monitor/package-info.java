/**
 * The JMX beans (domain {@code dev.regions}) and the plain-text report of open regions, read
 * through the regions' records, never the regions.
 */
package dev.regions.internal.monitor;
