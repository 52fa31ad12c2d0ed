/**
 * The JDK Flight Recorder events of Regions ({@code dev.regions.*}, category "Regions").
 */
package dev.regions.internal.event;
