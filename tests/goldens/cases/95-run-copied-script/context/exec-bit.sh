#!/bin/sh
echo exec bit kept
