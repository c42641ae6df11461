/** The Dropwizard service around the scheduler core. */
package dev.zkscheduler.service;
